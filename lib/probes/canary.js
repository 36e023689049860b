// The platform's canary (lib/probes): each check calls one URL the way a user does, and fails
// unless it answers 2xx or 3xx in time. A check's address (https://<host>, no path) is either
// given (url: a load balancer of the canary's own stack, with host, when set, as the TLS server
// name and Host header its certificate expects) or read at run time from an SSM parameter that
// the stack making the address writes: the edge writes the site's, the accelerator the API's.
// A canary that reads parameters deploys after those stacks, so a parameter that does not exist
// fails its check: the canary must never pass without calling what it watches. When a parameter
// cannot be read for another reason (SSM unavailable in its region), a check with a known
// address (a domain from config) calls that; one without fails.
//
// Configuration, from the environment: PROBE_CHECKS, a JSON list of
// {"name", "path", and "url" (with "host") or "parameter", "region" (with "known")};
// PROBE_TIMEOUT_MS, per request.
'use strict';

// The Synthetics library under its current name, then its legacy one; outside Synthetics (the
// construct's tests run this file with Node) a step just runs.
function library() {
  for (const name of ['@aws/synthetics-puppeteer', 'Synthetics']) {
    try {
      const loaded = require(name);
      return loaded.synthetics || loaded;
    } catch (e) {
      if (e.code !== 'MODULE_NOT_FOUND') throw e;
    }
  }
  return { executeStep: async (stepName, step) => step() };
}

// The AWS SDK for JavaScript v3 ships with every Lambda Node.js runtime from 18 on, which
// Synthetics runtimes from syn-nodejs-puppeteer-8.0 use.
async function readParameter(name, region) {
  const { SSMClient, GetParameterCommand } = require('@aws-sdk/client-ssm');
  try {
    const out = await new SSMClient({ region }).send(new GetParameterCommand({ Name: name }));
    return { value: out.Parameter.Value };
  } catch (e) {
    if (e.name === 'ParameterNotFound') return { missing: true };
    return { error: e };
  }
}

// status asks url with Node's http or https module, presenting host (TLS server name and Host
// header) when given: fetch takes both from the URL, and a load balancer's own name is not on
// its certificate.
function status(url, host, timeoutMs) {
  const target = new URL(url);
  const client = require(target.protocol === 'https:' ? 'https' : 'http');
  const headers = { 'user-agent': 'platform-canary' };
  if (host) headers.host = host;
  return new Promise((resolve, reject) => {
    const request = client.request(target, { method: 'GET', headers, servername: host || undefined, timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', reject);
    request.end();
  });
}

async function call(url, host, timeoutMs) {
  let answer;
  if (host) {
    answer = await status(url, host, timeoutMs);
  } else {
    const response = await fetch(url, {
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
      headers: { 'user-agent': 'platform-canary' },
    });
    answer = response.status;
  }
  if (answer < 200 || answer >= 400) {
    throw new Error(`${url} answered ${answer}`);
  }
  return answer;
}

exports.handler = async function handler() {
  const synthetics = library();
  const checks = JSON.parse(process.env.PROBE_CHECKS || '[]');
  const timeoutMs = Number(process.env.PROBE_TIMEOUT_MS || 10000);
  if (checks.length === 0) throw new Error('PROBE_CHECKS lists no check');
  const addresses = new Map();
  const failed = [];
  let called = 0;
  for (const check of checks) {
    let address = { value: check.url };
    if (!check.url) {
      const key = `${check.region} ${check.parameter}`;
      if (!addresses.has(key)) addresses.set(key, await readParameter(check.parameter, check.region));
      address = addresses.get(key);
    }
    let base = address.value;
    if (address.missing) {
      failed.push(`${check.name}: ${check.parameter} does not exist in ${check.region} (the stack that writes it was deleted, or failed to create)`);
      continue;
    }
    if (address.error) {
      if (!check.known) {
        failed.push(`${check.name}: cannot read ${check.parameter} in ${check.region}: ${address.error.name}: ${address.error.message}`);
        continue;
      }
      console.log(`${check.name}: cannot read ${check.parameter} in ${check.region} (${address.error.name}); calling ${check.known}`);
      base = check.known;
    }
    const url = base.replace(/\/+$/, '') + check.path;
    called++;
    try {
      // Every check runs even after one fails, so a run reports every failing address.
      await synthetics.executeStep(check.name, async () => {
        const answer = await call(url, check.host, timeoutMs);
        console.log(`${check.name}: ${url}${check.host ? ` (as ${check.host})` : ''} answered ${answer}`);
      });
    } catch (e) {
      failed.push(`${check.name}: ${e.message}`);
    }
  }
  if (failed.length > 0) throw new Error(`${failed.length} of ${checks.length} checks failed: ${failed.join('; ')}`);
  return `${called} checks passed`;
};
