import { describe, expect, it } from '@jest/globals';
import { headers } from '@nats-io/transport-node';
import { resultOfAck, type PublishResult } from './publisher.js';

const encoder = new TextEncoder();
/** An acknowledgement as the connection delivers it: a JSON body, or a status in the headers. */
function ack(body: string, status?: { code: number; description: string }) {
  const data = encoder.encode(body);
  return {
    data,
    headers: status ? headers(status.code, status.description) : undefined,
    json: <T>() => JSON.parse(body) as T,
  };
}

describe('resultOfAck', () => {
  it.each<[string, ReturnType<typeof ack>, PublishResult]>([
    ['a stored message', ack('{"stream":"BULWARK_C2E","seq":42}'), { ok: true, ack: { stream: 'BULWARK_C2E', seq: 42, duplicate: false } }],
    ['a re-publish JetStream already had', ack('{"stream":"BULWARK_C2E","seq":42,"duplicate":true}'), { ok: true, ack: { stream: 'BULWARK_C2E', seq: 42, duplicate: true } }],
    ['no stream on the subject', ack('', { code: 503, description: 'No Responders' }), { ok: false, error: 'JetStream answered 503 No Responders' }],
    ['a refusal', ack('{"error":{"code":503,"description":"maximum messages exceeded"}}'), { ok: false, error: 'JetStream refused the message: 503 maximum messages exceeded' }],
    ['an empty stream name', ack('{"stream":"","seq":1}'), { ok: false, error: 'JetStream answered with an invalid acknowledgement' }],
    ['no sequence', ack('{"stream":"BULWARK_C2E"}'), { ok: false, error: 'JetStream answered with an invalid acknowledgement' }],
    ['not JSON', ack('+OK'), { ok: false, error: 'JetStream answered with an unreadable acknowledgement' }],
  ])('%s', (_case, msg, expected) => {
    expect(resultOfAck(msg)).toEqual(expected);
  });
});
