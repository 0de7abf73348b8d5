// Renovate's own regex manager on texts, for tests/test_renovate.py.
// Usage: node tests/renovate_extract.js PRESET RENOVATE_PACKAGE_DIR < [[managerIndex, text], ...]
// Prints, for each text, the dependencies extractPackageFile finds (with Renovate's regex engine, RE2).
'use strict';
const fs = require('fs');
const path = require('path');

const [presetFile, renovateDir] = process.argv.slice(2);
const preset = JSON.parse(fs.readFileSync(presetFile, 'utf8'));
const regexUtil = require(path.join(renovateDir, 'dist/util/regex.js'));
if (regexUtil.regexEngineStatus.type !== 'available') {
  throw new Error(`Renovate's RE2 is not usable here: ${JSON.stringify(regexUtil.regexEngineStatus)}`);
}
const { extractPackageFile } = require(path.join(renovateDir, 'dist/modules/manager/custom/regex/index.js'));
const cases = JSON.parse(fs.readFileSync(0, 'utf8'));
const found = cases.map(([manager, text]) => {
  const result = extractPackageFile(text, 'file', preset.customManagers[manager]);
  return (result?.deps ?? []).map((dep) => ({
    depName: dep.depName,
    currentValue: dep.currentValue ?? null,
    currentDigest: dep.currentDigest ?? null,
    replaceString: dep.replaceString,
  }));
});
process.stdout.write(JSON.stringify(found));
