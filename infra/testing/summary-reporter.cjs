// A jest reporter that leaves each package's totals in BULWARK_TEST_RESULTS_DIR, so `npm test`
// can print one closing line for the whole repository.
const fs = require('node:fs');
const path = require('node:path');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const dir = process.env.BULWARK_TEST_RESULTS_DIR;
    if (!dir) return;
    fs.mkdirSync(dir, { recursive: true });
    const name = path.basename(process.cwd()) + '-' + process.pid;
    fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify({
      cwd: process.cwd(),
      passed: results.numPassedTests,
      failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
      skipped: results.numPendingTests + results.numTodoTests,
    }));
  }
}

module.exports = SummaryReporter;
