import type { Provider } from '../api/types';
import { formatAgo, formatCount, formatLatency, formatRate, stateLabel, stateTone } from '../lib/format';

export function ProviderCard({ provider: p }: { provider: Provider }) {
  return (
    <li class={`card provider tone-${stateTone(p.state)}`} data-provider={p.name}>
      <div class="card-head">
        <h3>{p.name}</h3>
        <span class={`badge tone-${stateTone(p.state)}`} data-state={p.state}>
          {stateLabel(p.state)}
        </span>
      </div>
      <p class="muted small">
        {p.type} · pool {p.pool} · since {formatAgo(p.since)}
        {p.admin !== 'active' ? ` · ${p.admin}` : ''}
      </p>
      <p class="reason">{p.reason || 'No problem seen.'}</p>
      <dl class="figures">
        <div>
          <dt>Latency</dt>
          <dd>{formatLatency(p.latency_ms)}</dd>
        </div>
        <div>
          <dt>Success</dt>
          <dd>{formatRate(p.success_rate)}</dd>
        </div>
        <div>
          <dt>Share</dt>
          <dd>{formatRate(p.share)}</dd>
        </div>
        <div>
          <dt title="Attempts in the last minute">Per min</dt>
          <dd>{formatCount(p.attempts_last_minute)}</dd>
        </div>
      </dl>
    </li>
  );
}
