// The provider list kept current from /v1/events: a provider_state event
// changes its provider in place; events that add, remove or reconfigure
// providers need the list read again.
import type { Provider, ProviderNode, RoutingEvent } from '../api/types';

export interface Applied {
  providers: Provider[];
  refetch: boolean;
}

const REFETCH = new Set(['provider_added', 'provider_removed', 'routing_changed', 'config_reloaded']);

export function applyEvent(providers: Provider[], event: RoutingEvent): Applied {
  if (event.type === 'provider_state' && event.provider) {
    let found = false;
    const next = providers.map((p) => {
      if (p.name !== event.provider) return p;
      found = true;
      return {
        ...p,
        state: event.state ?? p.state,
        check: event.check === undefined ? p.check : event.check,
        reason: event.reason ?? p.reason,
        since: event.at ?? p.since,
      };
    });
    return { providers: next, refetch: !found };
  }
  return { providers, refetch: REFETCH.has(event.type) };
}

// The parsed `data:` of an event block, or null when it is not an object.
export function parseEvent(type: string, data: string): RoutingEvent | null {
  try {
    const value = JSON.parse(data) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
    return { ...(value as RoutingEvent), type: (value as RoutingEvent).type ?? type };
  } catch {
    return null;
  }
}

// A one-line description of an event for the activity list.
export function describeEvent(e: RoutingEvent): string {
  switch (e.type) {
    case 'provider_state':
      return `${e.provider}: ${e.previous ?? '?'} → ${e.state}${e.reason ? ` (${e.reason})` : ''}`;
    case 'provider_added':
      return `${e.provider} added`;
    case 'provider_removed':
      return `${e.provider} removed`;
    case 'pool_unavailable':
      return `pool ${e.pool} has no provider taking mail`;
    case 'pool_available':
      return `pool ${e.pool} takes mail again`;
    case 'routing_changed':
      return 'routing changed';
    case 'config_reloaded':
      return 'configuration reloaded';
    case 'config_rejected':
      return `configuration rejected${e.reason ? `: ${e.reason}` : ''}`;
    default:
      return e.type.replace(/_/g, ' ');
  }
}

// Each node's view of a provider, for a line under its state: only when
// several nodes share the store (with one, it says what the row says).
// Stale rows are marked, since that node may be gone.
export interface NodeLine {
  node: string;
  state: string;
  stale: boolean;
  title: string;
}

export function nodeLines(nodes: ProviderNode[] | undefined): NodeLine[] {
  if (!nodes || nodes.length < 2) return [];
  return nodes.map((n) => ({
    node: n.node,
    state: n.state,
    stale: n.stale,
    title: `${n.node}: ${n.state}${n.reason ? ` (${n.reason})` : ''}, written ${n.updated_at}${n.stale ? ', stale' : ''}`,
  }));
}
