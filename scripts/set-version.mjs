#!/usr/bin/env node
// One version everywhere a user installs from: package.json, the chart's version and appVersion (its
// default image tag), and the image tag in the plain manifests.
//   node scripts/set-version.mjs            write package.json's version into the others
//                                           (the npm `version` script: `npm version 1.2.3` runs it)
//   node scripts/set-version.mjs --check V  exit 1 unless every place says V (the release workflow, on tag vV)
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const IMAGE = 'ghcr.io/persistguard/persistguard';
const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

/** Each place a version lives: how to read it and how to write it. */
const places = [
  {
    file: 'deploy/helm/persistguard/Chart.yaml',
    read: (t) => [t.match(/^version: (.+)$/m)?.[1], t.match(/^appVersion: "(.+)"$/m)?.[1]],
    write: (t, v) => t.replace(/^version: .+$/m, `version: ${v}`).replace(/^appVersion: .+$/m, `appVersion: "${v}"`),
  },
  ...['deploy/manifests/base/deployment.yaml', 'deploy/overlays/audit-cronjob/cronjob.yaml'].map((file) => ({
    file,
    read: (t) => [...t.matchAll(new RegExp(`image: ${IMAGE}:(\\S+)`, 'g'))].map((m) => m[1]),
    write: (t, v) => t.replace(new RegExp(`image: ${IMAGE}:\\S+`, 'g'), `image: ${IMAGE}:${v}`),
  })),
];

const read = (file) => readFileSync(path.join(root, file), 'utf8');
const pkgVersion = JSON.parse(read('package.json')).version;

const args = process.argv.slice(2);
if (args[0] === '--check') {
  const want = args[1];
  if (!want || !SEMVER.test(want)) {
    console.error(`usage: set-version.mjs --check X.Y.Z (got '${want ?? ''}')`);
    process.exit(2);
  }
  const wrong = [];
  if (pkgVersion !== want) wrong.push(`package.json: ${pkgVersion}`);
  for (const p of places) {
    const found = p.read(read(p.file));
    if (found.length === 0 || found.some((v) => v !== want)) wrong.push(`${p.file}: ${found.join(', ') || 'none'}`);
  }
  if (wrong.length > 0) {
    console.error(`version ${want} expected everywhere; found:\n  ${wrong.join('\n  ')}`);
    console.error('run `npm version X.Y.Z` (or node scripts/set-version.mjs after editing package.json)');
    process.exit(1);
  }
  console.log(`version ${want}: package.json, chart and manifests agree`);
} else {
  if (!SEMVER.test(pkgVersion)) throw new Error(`package.json version '${pkgVersion}' is not X.Y.Z`);
  for (const p of places) writeFileSync(path.join(root, p.file), p.write(read(p.file), pkgVersion));
  console.log(`set ${pkgVersion} in ${places.map((p) => p.file).join(', ')}`);
}
