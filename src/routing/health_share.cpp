#include "routing/health_share.h"

#include <spdlog/spdlog.h>

#include <cmath>
#include <mutex>

namespace postern::routing {

struct HealthShare::Writes {
  std::mutex mu;
  bool in_flight = false;  // guarded by mu
  bool failing = false;    // the last write failed (logged once a streak)
  // What the last successful write said of each provider (state and
  // reason), and when it was asked for.
  std::map<std::string, std::pair<ProviderState, std::string>> written;
  std::optional<SystemTime> written_at;
  std::uint64_t done = 0;  // successful writes so far: a read before one is out of date
};

namespace {

store::ProviderHealthRow row_of(const ProviderView& v) {
  store::ProviderHealthRow r;
  r.provider = v.name;
  r.state = std::string(to_string(v.state));
  r.reason = v.reason;
  r.since = v.since;
  r.latency_us = std::llround(v.latency_ms * 1000);
  if (v.success_rate) r.success_ppm = std::llround(*v.success_rate * 1e6);
  return r;
}

}  // namespace

HealthShare::HealthShare(store::RoutingStore& store, std::string node, const Clock& clock,
                         std::chrono::milliseconds period)
    : store_(store),
      node_(std::move(node)),
      clock_(clock),
      period_(period),
      writes_(std::make_shared<Writes>()) {}

void HealthShare::update(const std::vector<ProviderView>& providers) {
  const auto now = clock_.now();
  std::map<std::string, std::pair<ProviderState, std::string>> seen;
  for (const auto& v : providers) seen[v.name] = {v.state, v.reason};
  {
    std::lock_guard lock(writes_->mu);
    if (writes_->in_flight) return;
    const bool fresh = writes_->written_at && now - *writes_->written_at < period_;
    if (fresh && seen == writes_->written) return;
    writes_->in_flight = true;
  }
  std::vector<store::ProviderHealthRow> rows;
  rows.reserve(providers.size());
  for (const auto& v : providers) rows.push_back(row_of(v));
  store_.record_provider_health(
      node_, std::move(rows),
      [writes = writes_, seen = std::move(seen), now, node = node_](Result<void> r) mutable {
        std::lock_guard lock(writes->mu);
        writes->in_flight = false;
        if (!r) {
          if (!writes->failing)
            spdlog::warn("routing: cannot share node {}'s provider health: {}", node,
                         r.error().message());
          writes->failing = true;
          writes->written_at.reset();  // try again at the next update
          return;
        }
        writes->failing = false;
        ++writes->done;
        writes->written = std::move(seen);
        writes->written_at = now;
      });
}

Result<std::vector<store::ProviderHealthRow>> HealthShare::rows() const {
  std::uint64_t writes_done = 0;
  {
    std::lock_guard lock(writes_->mu);
    writes_done = writes_->done;
  }
  std::lock_guard lock(last_read_.mu);
  const auto now = clock_.steady_now();
  const bool current = last_read_.at && now - *last_read_.at < kHealthReadReuse &&
                       last_read_.writes_seen == writes_done;
  if (!current) {
    // A write answered during the read leaves writes_seen behind: the
    // next call reads again.
    auto rows = store_.provider_health();
    if (!rows) {
      last_read_.at.reset();
      return rows.error();
    }
    last_read_.rows = std::move(*rows);
    last_read_.at = now;
    last_read_.writes_seen = writes_done;
  }
  return last_read_.rows;
}

Result<std::map<std::string, std::vector<NodeHealthView>>> HealthShare::read() const {
  auto rows = this->rows();
  if (!rows) return rows.error();
  // At this call, not at the store read: a node that stopped writing is
  // stale on time, however the rows were cached.
  const auto stale_before = clock_.now() - kHealthStalePeriods * period_;
  std::map<std::string, std::vector<NodeHealthView>> out;
  for (auto& r : *rows) {
    NodeHealthView v;
    v.node = std::move(r.node);
    v.state = std::move(r.state);
    v.reason = std::move(r.reason);
    v.since = r.since;
    v.updated_at = r.updated_at;
    v.stale = r.updated_at < stale_before;
    v.latency_ms = static_cast<double>(r.latency_us) / 1000;
    if (r.success_ppm) v.success_rate = static_cast<double>(*r.success_ppm) / 1e6;
    out[r.provider].push_back(std::move(v));
  }
  return out;
}

}  // namespace postern::routing
