// Provider events beside intake at the store, with no HTTP in front: how
// long an intake write (a 4 KiB message) waits for its durable answer
// while provider events go through the same group-commit writer, and what
// the writer's transactions cost. Isolates the store's share of
// bench/events.sh's intake p99 from HTTP, signatures and JSON.
//
// Setup: MESSAGES messages of 10 recipients each, leased and recorded as
// sent through "sg" with a provider message id. Then cells of SECS seconds
// each, intake paced at INTAKE_PER_S (open loop: a write's latency counts
// from when it was due, so a stall is not hidden):
//   alone     intake only
//   sendgrid  + batches of 100 events at EVENTS_PER_S (one call each)
//   mailgun   + single events at EVENTS_PER_S
//   burst     + 50 batches of 100 queued at once before the cell's first
//             intake write (a backlog): the events answered before that
//             write was, and the time the backlog took
// Events are about the recipients in order, message by message, and each
// has its own id, so every one is recorded and tied (80% delivered, 10%
// deferred, 7% bounced, 3% complained, as bench/events_load.py).
// Prints a line per cell: intake p50/p99/max, transactions/s and the
// writer's mean time per transaction (apply and commit).
// Usage: store_events DIR [SECS] [INTAKE_PER_S] [EVENTS_PER_S] [MESSAGES] [CELLS...]
//        env FSYNC=0: the store without fsync (the writer's own time only)
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite/sqlite_store.h"

using namespace postern;
using Steady = std::chrono::steady_clock;

namespace {

constexpr int kRecipients = 10;

template <class T, class Start>
Result<T> wait_for(Start start) {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<Result<T>> answer;
  start([&](Result<T> r) {
    std::lock_guard lock(mu);
    answer.emplace(std::move(r));
    cv.notify_one();
  });
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return answer.has_value(); });
  return std::move(*answer);
}

std::string address(long message, int recipient) {
  std::string out = "r";
  out.append(std::to_string(message)).append(".").append(std::to_string(recipient));
  return out.append("@example.org");
}

// Makes the messages the events are about; false on a store error.
bool setup(store::Store& s, long messages) {
  const std::string content = "Subject: events bench\r\n\r\nthe events are about this\r\n";
  for (long i = 0; i < messages; ++i) {
    store::NewMessage m;
    m.format = ContentFormat::mime;
    m.content = content;
    m.envelope.sender = "bench@example.com";
    for (int j = 0; j < kRecipients; ++j) m.envelope.recipients.push_back({address(i, j), {}});
    m.source = "bench";
    s.enqueue(std::move(m), [](Result<store::EnqueueResult> r) {
      if (!r) std::fprintf(stderr, "enqueue: %s\n", r.error().message().c_str());
    });
  }
  for (;;) {
    auto leased = wait_for<std::vector<store::LeasedMessage>>([&](auto done) {
      s.lease("bench", SystemClock().now(), std::chrono::seconds(600), 500, done);
    });
    if (!leased) return false;
    if (leased->empty()) return true;
    for (const auto& m : *leased) {
      // The recipients' message number, from the first address.
      const auto& first = m.envelope.recipients.front().address;
      std::string pid = "pid-";
      pid.append(first, 1, first.find('.') - 1);
      s.record_attempt(
          "bench",
          {.id = m.id, .provider = "sg", .failure_class = "ok", .provider_message_id = pid},
          [](Result<void> r) {
            if (!r) std::fprintf(stderr, "record_attempt: %s\n", r.error().message().c_str());
          });
    }
  }
}

// The events, recipient after recipient, message after message.
class EventSource {
 public:
  explicit EventSource(long messages) : messages_(messages) {}
  events::ProviderEvent next() {
    static constexpr events::RecipientEventType kMix[] = {
        events::RecipientEventType::delivered,  events::RecipientEventType::delivered,
        events::RecipientEventType::delivered,  events::RecipientEventType::deferred,
        events::RecipientEventType::delivered,  events::RecipientEventType::bounced,
        events::RecipientEventType::delivered,  events::RecipientEventType::delivered,
        events::RecipientEventType::complained, events::RecipientEventType::delivered};
    long message = (n_ / kRecipients) % messages_;
    int recipient = static_cast<int>(n_ % kRecipients);
    events::ProviderEvent e;
    e.provider = "sg";
    e.dedupe_key = "ev-" + std::to_string(n_) + "-" + std::to_string(salt_);
    e.provider_message_id = "pid-" + std::to_string(message);
    e.recipient = address(message, recipient);
    e.type = kMix[n_ % std::size(kMix)];
    e.at = SystemClock().now();
    e.detail = "250 OK";
    ++n_;
    return e;
  }

 private:
  long messages_;
  long n_ = 0;
  long salt_ = Steady::now().time_since_epoch().count();
};

// CPU seconds the writer thread ("sqlite-commit") has used: unlike its
// wall time, this does not grow when a busy box preempts it.
double writer_cpu_seconds() {
  namespace fs = std::filesystem;
  for (const auto& task : fs::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string name;
    std::getline(comm, name);
    if (name != "sqlite-commit") continue;
    std::ifstream stat(task.path() / "stat");
    std::string line;
    std::getline(stat, line);
    // Fields after the ")" that ends the name: state is the 3rd, utime the 14th.
    std::istringstream rest(line.substr(line.rfind(')') + 2));
    std::string field;
    long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
      if (i == 14) utime = std::stol(field);
      if (i == 15) stime = std::stol(field);
    }
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  }
  return 0;
}

// The upper bound of the bucket that holds the p-th observation since
// `before` (cumulative counts then).
double bucket_percentile(const Histogram& h, const std::vector<std::uint64_t>& before, double p) {
  const auto& bounds = h.bounds();
  auto total = h.count() - (before.empty() ? 0 : before.back());
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    auto below = h.cumulative(i) - before[i];
    if (static_cast<double>(below) >= p * static_cast<double>(total)) return bounds[i];
  }
  return bounds.empty() ? 0 : bounds.back() * 10;
}

std::vector<std::uint64_t> cumulative_counts(const Histogram& h) {
  std::vector<std::uint64_t> out;
  for (std::size_t i = 0; i < h.bounds().size(); ++i) out.push_back(h.cumulative(i));
  out.push_back(h.count());
  return out;
}

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

struct Cell {
  std::string name;
  double secs;
  long intake_per_s;
  long events_per_s;
};

void run_cell(store::sqlite::SqliteStore& s, MetricsRegistry& metrics, EventSource& source,
              const Cell& c, int burst) {
  auto& tx = metrics.histogram("postern_store_transaction_seconds", "", latency_buckets_seconds(),
                               {{"store", "sqlite"}});
  auto tx0 = tx.count();
  auto tx_sum0 = tx.sum();
  auto tx_buckets0 = cumulative_counts(tx);
  auto cpu0 = writer_cpu_seconds();
  std::mutex mu;
  std::vector<double> latencies_ms;
  std::atomic<long> pending{0};
  std::atomic<long> events_done{0};
  const std::string text(3990, 'x');
  auto start = Steady::now();
  auto end =
      start + std::chrono::duration_cast<Steady::duration>(std::chrono::duration<double>(c.secs));
  // The backlog is queued before intake's first write.
  if (c.name == "burst") {
    for (int b = 0; b < burst; ++b) {
      std::vector<events::ProviderEvent> batch;
      for (int i = 0; i < 100; ++i) batch.push_back(source.next());
      pending++;
      s.events().record_provider_events(std::move(batch), [&](auto r) {
        if (!r) std::fprintf(stderr, "events: %s\n", r.error().message().c_str());
        events_done += 100;
        pending--;
      });
    }
  }
  std::atomic<long> events_before_first{-1};
  std::thread events_thread([&] {
    if (c.name == "alone" || c.name == "burst" || c.events_per_s == 0) return;
    const int per_call = c.name == "sendgrid" ? 100 : 1;
    const auto gap = std::chrono::duration<double>(static_cast<double>(per_call) /
                                                   static_cast<double>(c.events_per_s));
    for (long n = 0;; ++n) {
      auto due = start + std::chrono::duration_cast<Steady::duration>(gap * n);
      if (due >= end) break;
      std::this_thread::sleep_until(due);
      std::vector<events::ProviderEvent> batch;
      for (int i = 0; i < per_call; ++i) batch.push_back(source.next());
      pending++;
      s.events().record_provider_events(std::move(batch), [&, per_call](auto r) {
        if (!r) std::fprintf(stderr, "events: %s\n", r.error().message().c_str());
        events_done += per_call;
        pending--;
      });
    }
  });
  const auto gap = std::chrono::duration<double>(1.0 / static_cast<double>(c.intake_per_s));
  Steady::time_point burst_done{};
  for (long n = 0;; ++n) {
    auto due = start + std::chrono::duration_cast<Steady::duration>(gap * n);
    if (due >= end) break;
    std::this_thread::sleep_until(due);
    store::NewMessage m;
    m.format = ContentFormat::json;
    m.content = text;
    m.envelope = {"bench@example.com", {{"user@example.org", RecipientKind::to}}};
    m.subject = "benchmark";
    m.source = "bench";
    pending++;
    s.enqueue(std::move(m), [&, due, n](Result<store::EnqueueResult> r) {
      if (!r) std::fprintf(stderr, "enqueue: %s\n", r.error().message().c_str());
      if (n == 0) events_before_first = events_done.load();
      double ms = std::chrono::duration<double, std::milli>(Steady::now() - due).count();
      std::lock_guard lock(mu);
      latencies_ms.push_back(ms);
      pending--;
    });
    if (c.name == "burst" && burst_done == Steady::time_point{} && events_done == burst * 100L)
      burst_done = Steady::now();
  }
  events_thread.join();
  while (pending > 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (c.name == "burst" && burst_done == Steady::time_point{}) burst_done = Steady::now();
  double secs = std::chrono::duration<double>(Steady::now() - start).count();
  auto txs = tx.count() - tx0;
  auto cpu = writer_cpu_seconds() - cpu0;
  std::lock_guard lock(mu);
  auto n = latencies_ms.size();
  double p50 = percentile(latencies_ms, 0.50);
  double p99 = percentile(latencies_ms, 0.99);
  double max =
      latencies_ms.empty() ? 0 : *std::max_element(latencies_ms.begin(), latencies_ms.end());
  std::printf(
      "cell=%s intake=%zu intake_per_s=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f "
      "events_per_s=%.0f tx_per_s=%.0f tx_mean_ms=%.3f tx_p99_ms<=%.2f writer_cpu_pct=%.0f",
      c.name.c_str(), n, static_cast<double>(n) / secs, p50, p99, max,
      static_cast<double>(events_done.load()) / secs, static_cast<double>(txs) / secs,
      txs ? 1000.0 * (tx.sum() - tx_sum0) / static_cast<double>(txs) : 0.0,
      1000.0 * bucket_percentile(tx, tx_buckets0, 0.99), 100.0 * cpu / secs);
  if (c.name == "burst")
    std::printf(" backlog_ms=%.0f events_before_first_intake=%ld",
                std::chrono::duration<double, std::milli>(burst_done - start).count(),
                events_before_first.load());
  std::printf("\n");
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: %s DIR [SECS] [INTAKE_PER_S] [EVENTS_PER_S] [MESSAGES] [CELLS...]\n",
                 argv[0]);
    return 2;
  }
  std::string dir = argv[1];
  double secs = argc > 2 ? std::atof(argv[2]) : 5;
  long intake = argc > 3 ? std::atol(argv[3]) : 4000;
  long events_rate = argc > 4 ? std::atol(argv[4]) : 5000;
  long messages = argc > 5 ? std::atol(argv[5]) : 5000;
  std::vector<std::string> cells;
  for (int i = 6; i < argc; ++i) cells.emplace_back(argv[i]);
  if (cells.empty()) cells = {"alone", "sendgrid", "mailgun", "burst", "alone"};

  SystemClock clock;
  MetricsRegistry metrics;
  // FSYNC=0: no fsync, so that the writer's own time shows (a busy disk's
  // flushes would hide it).
  const char* fsync = std::getenv("FSYNC");
  auto opened = store::sqlite::SqliteStore::open(
      {.path = dir + "/store.db", .fsync = !(fsync && std::string(fsync) == "0")}, clock, metrics);
  if (!opened) {
    std::fprintf(stderr, "cannot open the store: %s\n", opened.error().message().c_str());
    return 1;
  }
  auto& s = **opened;
  if (!setup(s, messages)) {
    std::fprintf(stderr, "setup failed\n");
    return 1;
  }
  EventSource source(messages);
  for (const auto& name : cells) {
    run_cell(s, metrics, source, {name, secs, intake, events_rate}, 50);
  }
  s.close();
  return 0;
}
