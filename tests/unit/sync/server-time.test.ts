import { expect, it } from 'vitest';
import { serverTimeOf } from '../../../src/sync/http.js';

it("the platform's time: X-HCP-Server-Time first, the Date header when a gateway dropped it", () => {
  const date = 'Wed, 02 Dec 2026 13:05:07 GMT';
  expect(serverTimeOf({ 'x-hcp-server-time': '1796216707123', date })).toBe(1796216707123);
  expect(serverTimeOf({ date })).toBe(Date.parse(date) + 500);
  expect(serverTimeOf({ 'x-hcp-server-time': 'soon', date })).toBe(Date.parse(date) + 500);
  expect(serverTimeOf({ date: 'not a date' })).toBeNull();
  expect(serverTimeOf({})).toBeNull();
});
