// jest in native ESM mode (node --experimental-vm-modules): .mjs tests, no transform.
export default { rootDir: ".", testMatch: ["**/*.jest.mjs"], transform: {}, testEnvironment: "node", testTimeout: 60_000 };
