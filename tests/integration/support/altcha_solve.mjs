// Solves a Tribune captcha (ALTCHA v1) the way the `altcha` browser widget (v2) does, with altcha-lib.
//
// As a module:  import { solveCaptcha } from './support/altcha_solve.mjs';
//               const payload = await solveCaptcha(await (await fetch(url + '/api/v1/captcha')).json());
// As a CLI:     node tests/integration/support/altcha_solve.mjs '<challenge JSON>'   (or the JSON on stdin)
//               prints the payload the widget would submit.
//
// The widget (altcha 2.x) fetches {algorithm, challenge, maxnumber, salt, signature} from `challengeurl`,
// finds the number with SHA-256(salt + number) for number = 0..maxnumber, and submits
// btoa(JSON.stringify({algorithm, challenge, number, salt, signature, test, took})) — standard base64
// with padding, `test` dropped by JSON.stringify unless in test mode, `took` the solving time in ms.

import { solveChallenge } from 'altcha-lib';
import { pathToFileURL } from 'node:url';

/**
 * @param {string | {algorithm: string, challenge: string, maxnumber?: number, maxNumber?: number, salt: string, signature: string}} challengeJson
 * @returns {Promise<string>} the base64 payload
 */
export async function solveCaptcha(challengeJson) {
  const c = typeof challengeJson === 'string' ? JSON.parse(challengeJson) : challengeJson;
  if (!c || typeof c !== 'object') throw new Error('solveCaptcha: not a challenge object');
  for (const k of ['algorithm', 'challenge', 'salt', 'signature']) {
    if (typeof c[k] !== 'string') throw new Error(`solveCaptcha: challenge.${k} missing`);
  }
  const max = c.maxNumber || c.maxnumber || 1e6;  // the widget's fallback is its `maxnumber` attribute, 1e6
  const solution = await solveChallenge(c.challenge, c.salt, c.algorithm, max).promise;
  if (!solution) throw new Error('solveCaptcha: no number in [0, maxnumber] solves the challenge');
  return btoa(
    JSON.stringify({
      algorithm: c.algorithm,
      challenge: c.challenge,
      number: solution.number,
      salt: c.salt,
      signature: c.signature,
      test: undefined,
      took: solution.took,
    }),
  );
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const input = process.argv[2] !== undefined ? process.argv[2] : await readStdin();
    process.stdout.write((await solveCaptcha(input)) + '\n');
  } catch (e) {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
}
