import { describe, expect, expectTypeOf, it } from 'vitest';
import { EVENT_NAMES, type EventName, type HostEvent } from '../../src-shared/api/contract.js';
import { routeEvent, type EventRoutes } from './route-event.js';

/** Routes that record which handler got which payload. */
function recordingRoutes(): { routes: EventRoutes; seen: [EventName, unknown][] } {
  const seen: [EventName, unknown][] = [];
  const routes = Object.fromEntries(
    EVENT_NAMES.map((name) => [name, (payload: unknown) => void seen.push([name, payload])]),
  ) as unknown as EventRoutes;
  return { routes, seen };
}

describe('routeEvent', () => {
  it('hands every event of the contract to its own handler, with its payload', () => {
    const { routes, seen } = recordingRoutes();
    for (const name of EVENT_NAMES) {
      // The payload's shape does not matter to the router: a marker shows it is passed through.
      routeEvent({ event: name, payload: { marker: name } } as unknown as HostEvent, routes);
    }
    expect(seen).toEqual(EVENT_NAMES.map((name) => [name, { marker: name }]));
  });

  it('ignores, without throwing, an event name this renderer does not know', () => {
    const { routes, seen } = recordingRoutes();
    const warn = console.warn;
    const warned: unknown[] = [];
    console.warn = (...args: unknown[]) => void warned.push(args);
    try {
      routeEvent({ event: 'from.the.future', payload: {} } as unknown as HostEvent, routes);
    } finally {
      console.warn = warn;
    }
    expect(seen).toEqual([]);
    expect(String(warned[0])).toContain('from.the.future');
  });

  it('is typed so that an event without a route does not compile', () => {
    // Every contract event is a key of the routes, each taking that event's payload.
    expectTypeOf<keyof EventRoutes>().toEqualTypeOf<EventName>();
    expectTypeOf<Parameters<EventRoutes['gpu.sample']>[0]>().toEqualTypeOf<
      Extract<HostEvent, { event: 'gpu.sample' }>['payload']
    >();
    const { routes } = recordingRoutes();
    const { status: _dropped, ...withoutStatus } = routes;
    // @ts-expect-error -- routes missing `status` are refused: a new event needs a route before it builds.
    const incomplete: EventRoutes = withoutStatus;
    expect(Object.keys(incomplete)).not.toContain('status');
  });
});
