import { describe, expect, it } from 'vitest';
import { API_SHAPE, EVENT_CHANNELS, INVOKE_CHANNELS, buildApi, type EventChannel, type InvokeChannel } from '../../../shared/ipc/contract.js';

describe('the IPC contract', () => {
  // A change to the IPC surface must be deliberate: update this list on purpose.
  it('has exactly these channels', () => {
    expect([...INVOKE_CHANNELS].sort()).toEqual([
      'accounts:add',
      'accounts:delete-password',
      'accounts:discover',
      'accounts:has-password',
      'accounts:list',
      'accounts:remove',
      'accounts:set-password',
      'accounts:test',
      'accounts:update',
      'attachments:describe',
      'attachments:pick',
      'drafts:delete',
      'drafts:list',
      'drafts:save',
      'outbox:list',
      'outbox:retry',
      'outbox:send',
      'outbox:to-drafts',
      'posture:cancel',
      'posture:check-domain',
      'posture:check-server',
      'posture:export',
      'posture:forecast',
      'posture:forget',
      'posture:recent',
      'sandbox:read-message',
      'sandbox:start',
      'sandbox:status',
      'sandbox:stop',
      'send:cancel',
      'send:message',
      'sent:analyze',
      'sent:list',
      'sent:open',
    ]);
    expect([...EVENT_CHANNELS]).toEqual(['sandbox:message-received', 'send:progress', 'mailbox:changed', 'posture:progress']);
  });

  it('builds a grouped API over any transport, and nothing else', async () => {
    const calls: [InvokeChannel, unknown][] = [];
    const listeners = new Map<EventChannel, (payload: unknown) => void>();
    const api = buildApi({
      invoke: async (channel, request) => {
        calls.push([channel, request]);
        return { ok: true, value: channel };
      },
      subscribe: (channel, listener) => {
        listeners.set(channel, listener);
        return () => listeners.delete(channel);
      },
    });
    expect(Object.keys(api).sort()).toEqual([...Object.keys(API_SHAPE), 'events', 'pathOfDroppedFile'].sort());
    await api.sandbox.status(undefined);
    await api.send.message({ server: { host: 'h', port: 1, security: 'starttls' }, message: { from: 'a@b.c', to: [], subject: '', text: '' }, security: 'default' });
    expect(calls.map(([c]) => c)).toEqual(['sandbox:status', 'send:message']);
    const seen: unknown[] = [];
    const unsubscribe = api.events.sandboxMessageReceived((m) => seen.push(m));
    listeners.get('sandbox:message-received')?.({ id: 'x' });
    unsubscribe();
    expect(seen).toEqual([{ id: 'x' }]);
    expect(listeners.size).toBe(0);
    expect(Object.isFrozen(api)).toBe(true);
  });
});
