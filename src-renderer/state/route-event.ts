/**
 * Where each engine event goes in the renderer. Two guards make a new event in the contract a
 * compile error here until someone decides where it goes, instead of an event dropped silently:
 * `EventRoutes` needs a handler for every event name, and the switch ends in `never`.
 */
import type { EventName, EventPayload, HostEvent } from '../../src-shared/api/contract.js';

/** One handler per event of the contract; leaving one out does not compile. */
export type EventRoutes = { readonly [E in EventName]: (payload: EventPayload<E>) => void };

export function routeEvent(event: HostEvent, routes: EventRoutes): void {
  switch (event.event) {
    case 'status':
      return routes.status(event.payload);
    case 'log':
      return routes.log(event.payload);
    case 'settings':
      return routes.settings(event.payload);
    case 'generation':
      return routes.generation(event.payload);
    case 'model':
      return routes.model(event.payload);
    case 'network':
      return routes.network(event.payload);
    case 'neuron':
      return routes.neuron(event.payload);
    case 'generation.stored':
      return routes['generation.stored'](event.payload);
    case 'reward':
      return routes.reward(event.payload);
    case 'gpu.sample':
      return routes['gpu.sample'](event.payload);
    case 'signer.request':
      return routes['signer.request'](event.payload);
    case 'validator.round':
      return routes['validator.round'](event.payload);
    case 'validator.weights':
      return routes['validator.weights'](event.payload);
    default:
      return unhandled(event);
  }
}

/** Reached only by an event the switch lacks a case for, which the type `never` refuses to compile. */
function unhandled(event: never): void {
  // A newer engine than this renderer (the protocol version did not move): ignore, but say so.
  console.warn('An engine event this renderer does not know was ignored:', (event as { event?: unknown }).event);
}
