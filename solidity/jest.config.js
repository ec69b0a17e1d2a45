import { jestConfig } from '../jest.preset.js';

// Each test file starts its own anvil node; files run in band (see package.json "test").
export default jestConfig({ testMatch: ['<rootDir>/test/**/*.test.js'], testTimeout: 60_000 });
