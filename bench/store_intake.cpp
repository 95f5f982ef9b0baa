// Store ceiling: how many 4 KiB messages per second the SQLite store makes
// durable through its group commit, with no HTTP in front. N producers keep
// W writes each in flight. Prints msg/s, commits/s and messages per commit.
// Usage: store_intake DIR [MESSAGES] [PRODUCERS] [WINDOW] [fsync 1|0] [PAGE]
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite/sqlite_store.h"

using namespace postern;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DIR [MESSAGES] [PRODUCERS] [WINDOW] [FSYNC]\n", argv[0]);
    return 2;
  }
  std::string dir = argv[1];
  long total = argc > 2 ? std::atol(argv[2]) : 200000;
  int producers = argc > 3 ? std::atoi(argv[3]) : 4;
  long window = argc > 4 ? std::atol(argv[4]) : 64;
  bool fsync = argc > 5 ? std::atoi(argv[5]) != 0 : true;

  SystemClock clock;
  MetricsRegistry metrics;
  auto opened = store::sqlite::SqliteStore::open({dir + "/store.db", 2048, 1 << 20, 2, fsync},
                                                 clock, metrics);
  if (!opened) {
    std::fprintf(stderr, "cannot open the store: %s\n", opened.error().message().c_str());
    return 1;
  }
  auto& s = **opened;
  std::string content =
      R"({"from":"bench@example.com","to":["user@example.org"],"subject":"benchmark","text":")" +
      std::string(3880, 'x') + "\"}";
  std::atomic<long> done{0};
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int p = 0; p < producers; ++p) {
    threads.emplace_back([&] {
      std::mutex mu;
      std::condition_variable cv;
      long in_flight = 0;
      long mine = total / producers;
      for (long i = 0; i < mine; ++i) {
        {
          std::unique_lock lock(mu);
          cv.wait(lock, [&] { return in_flight < window; });
          ++in_flight;
        }
        store::NewMessage m;
        m.content = content;
        m.envelope = {"bench@example.com", {{"user@example.org", RecipientKind::to}}};
        m.subject = "benchmark";
        m.source = "bench";
        s.enqueue(std::move(m), [&](Result<store::EnqueueResult> r) {
          if (!r) std::fprintf(stderr, "enqueue failed: %s\n", r.error().message().c_str());
          done.fetch_add(1);
          std::lock_guard lock(mu);
          --in_flight;
          cv.notify_one();
        });
      }
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return in_flight == 0; });
    });
  }
  for (auto& t : threads) t.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  auto& commits = metrics.histogram("postern_store_commit_seconds", "", latency_buckets_seconds(),
                                    {{"store", "sqlite"}});
  // The sync stage's flushes (the WAL's and the content log's fdatasync).
  auto& flushes = metrics.histogram("postern_store_fsync_seconds", "", latency_buckets_seconds(),
                                    {{"store", "sqlite"}});
  auto per = [](double sum, std::uint64_t n) {
    return n ? 1000.0 * sum / static_cast<double>(n) : 0.0;
  };
  std::printf(
      "messages=%ld producers=%d window=%ld fsync=%d seconds=%.2f msg_per_s=%.0f "
      "commits_per_s=%.0f "
      "msgs_per_commit=%.1f mean_commit_ms=%.2f flushes_per_s=%.0f mean_flush_ms=%.2f\n",
      done.load(), producers, window, fsync ? 1 : 0, secs, done.load() / secs,
      commits.count() / secs,
      static_cast<double>(done.load()) / static_cast<double>(commits.count()),
      per(commits.sum(), commits.count()), flushes.count() / secs,
      per(flushes.sum(), flushes.count()));
  s.close();
  return 0;
}
