// Real Chromium for the end-to-end tests: Debian's /usr/bin/chromium driven by npm playwright-core.
//
// Every page a test opens is watched: console errors, uncaught exceptions and Content-Security-Policy
// violations are collected, and `assertClean(page)` fails the test when any occurred. Screenshots go to
// build/screenshots/<name>.png (look at them: the issue asks for it).

import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

export const CHROMIUM = process.env.TRIBUNE_CHROMIUM || '/usr/bin/chromium';
export const SCREENSHOTS = fileURLToPath(new URL('../../build/screenshots/', import.meta.url));

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A headless Chromium. Close it in an `after` hook. */
export async function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
}

const problems = new WeakMap();

/** A new page in a new context (its own cookies), watched for console errors and CSP violations. */
export async function newPage(browser, { locale = 'en-US', viewport = { width: 1280, height: 900 }, ...ctxOptions } = {}) {
  const context = await browser.newContext({ locale, viewport, ...ctxOptions });
  const page = await context.newPage();
  watch(page);
  return page;
}

/** Starts collecting a page's console errors, page errors and CSP violations. */
export function watch(page) {
  const list = [];
  problems.set(page, list);
  page.on('console', (msg) => {
    if (msg.type() === 'error') list.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => list.push(`exception: ${err.message}`));
  return list;
}

/**
 * Fails when the page logged errors, threw, or violated the CSP. `allow`: regexps of messages that are expected
 * (e.g. a 4xx the test provoked on purpose, which Chromium logs as "Failed to load resource").
 */
export function assertClean(page, allow = []) {
  const list = (problems.get(page) || []).filter((p) => !allow.some((re) => re.test(p)));
  assert.deepEqual(list, [], `page problems:\n${list.join('\n')}`);
}

/** Forgets the problems a page has collected so far (after a step that provoked an error on purpose). */
export function clearProblems(page) {
  problems.get(page)?.splice(0);
}

/** Saves a full-page screenshot as build/screenshots/<name>.png. */
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });
}

/** Signs a page's context in through the API (sets the session cookie in the browser). */
export async function signIn(page, baseUrl, email, password) {
  const res = await page.request.post(`${baseUrl}/api/v1/session`, { data: { email, password } });
  assert.equal(res.status(), 200, `login of ${email}: ${await res.text()}`);
  return res.json();
}
