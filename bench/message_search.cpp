// The message log's search on a large store (GET /v1/messages,
// store/sqlite/message_search.h): seeds MESSAGES messages through the real
// store API (enqueue, then lease and record_attempt, so that statuses and
// providers are what delivery leaves), then times each filter's first page
// and a deep page (its cursor 90% of the way back through the log), PAGE
// messages a page, SAMPLES times each. One line per filter and page:
// "filter=NAME page=first|deep p50_ms= p99_ms= max_ms= rows=".
// Usage: message_search DIR [MESSAGES] [SAMPLES] [PAGE]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "store/sqlite/sqlite_store.h"

using namespace postern;
using Steady = std::chrono::steady_clock;

namespace {

// Keeps up to `window` writes in flight and waits for them all at the end.
class Window {
 public:
  explicit Window(long window) : window_(window) {}
  template <class Start>
  void run(Start start) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return in_flight_ < window_; });
      ++in_flight_;
    }
    start([this] {
      std::lock_guard lock(mu_);
      --in_flight_;
      cv_.notify_all();
    });
  }
  void drain() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return in_flight_ == 0; });
  }

 private:
  long window_;
  long in_flight_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
};

// The messages: 20,000 recipients on seven domains (about 50 messages
// each), one address on a tenth of all, 50 tags (2% each), a rare tag on
// one in a hundred; delivered through four providers, 4% failing, 4%
// deferred, 2% left queued.
store::NewMessage seeded(long i, const std::string& content) {
  store::NewMessage m;
  m.content = content;
  m.envelope.sender = "bench@example.com";
  m.envelope.recipients.push_back(
      {"user" + std::to_string(i % 20000) + "@Example" + std::to_string(i % 7) + ".org",
       RecipientKind::to});
  if (i % 10 == 0) m.envelope.recipients.push_back({"ops@example.com", RecipientKind::cc});
  m.tags.push_back("t" + std::to_string(i % 50));
  if (i % 100 == 7) m.tags.push_back("rare");
  m.subject = "benchmark";
  m.source = "bench";
  return m;
}

// Drawn at random (a fixed seed) rather than from i, so that statuses are
// independent of the recipients, tags and providers, which follow i.
std::pair<MessageStatus, std::string> outcome(long i, std::mt19937_64& draw) {
  const auto r = static_cast<long>(draw() % 100);
  auto status = r < 4   ? MessageStatus::failed
                : r < 8 ? MessageStatus::deferred
                        : MessageStatus::sent;
  return {status, "p" + std::to_string(i % 4)};
}

double ms(Steady::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DIR [MESSAGES] [SAMPLES] [PAGE]\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  const long total = argc > 2 ? std::atol(argv[2]) : 1000000;
  const int samples = argc > 3 ? std::atoi(argv[3]) : 200;
  const std::size_t page = argc > 4 ? static_cast<std::size_t>(std::atol(argv[4])) : 50;

  SystemClock clock;
  MetricsRegistry metrics;
  // No fsync while seeding: what is measured is reading.
  auto opened = store::sqlite::SqliteStore::open({dir + "/store.db", 2048, 1 << 20, 4, false},
                                                 clock, metrics);
  if (!opened) {
    std::fprintf(stderr, "cannot open the store: %s\n", opened.error().message().c_str());
    return 1;
  }
  auto& s = **opened;
  const std::string content =
      R"({"from":"bench@example.com","to":["user@example.org"],"subject":"benchmark","text":"hi"})";
  std::vector<std::uint64_t> ids(static_cast<std::size_t>(total));
  std::atomic<long> failures{0};
  auto seed_start = Steady::now();
  Window window(4096);
  for (long i = 0; i < total; ++i) {
    window.run([&, i](auto release) {
      s.enqueue(seeded(i, content), [&, i, release](Result<store::EnqueueResult> r) {
        if (r)
          ids[static_cast<std::size_t>(i)] = r->id.value();
        else
          failures.fetch_add(1);
        release();
      });
    });
  }
  window.drain();
  auto enqueued = Steady::now();
  // Deliver all but the newest 2%: lease in batches, record each outcome.
  const long to_deliver = total - total / 50;
  long delivered = 0;
  std::mt19937_64 draw(42);
  while (delivered < to_deliver) {
    auto leased = std::make_shared<std::vector<store::LeasedMessage>>();
    std::mutex mu;
    std::condition_variable cv;
    bool got = false;
    s.lease("bench", clock.now(), std::chrono::seconds(3600),
            static_cast<std::size_t>(std::min<long>(5000, to_deliver - delivered)),
            [&](Result<std::vector<store::LeasedMessage>> r) {
              if (r) *leased = std::move(*r);
              std::lock_guard lock(mu);
              got = true;
              cv.notify_all();
            });
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return got; });
    }
    if (leased->empty()) break;
    for (const auto& l : *leased) {
      auto i = std::lower_bound(ids.begin(), ids.end(), l.id.value()) - ids.begin();
      auto [status, provider] = outcome(i, draw);
      store::AttemptRecord rec{l.id,
                               status,
                               clock.now() + std::chrono::hours(1),
                               provider,
                               status == MessageStatus::sent ? "ok" : "transient",
                               "250"};
      window.run([&, rec](auto release) {
        s.record_attempt("bench", rec, [&, release](Result<void> r) {
          if (!r) failures.fetch_add(1);
          release();
        });
      });
    }
    delivered += static_cast<long>(leased->size());
  }
  window.drain();
  auto seeded_at = Steady::now();
  std::printf("seed messages=%ld enqueue_s=%.1f deliver_s=%.1f failures=%ld\n", total,
              ms(enqueued - seed_start) / 1000, ms(seeded_at - enqueued) / 1000, failures.load());

  auto at = [&](double share) {
    return MessageId(ids[static_cast<std::size_t>(share * static_cast<double>(total - 1))]);
  };
  struct Search {
    const char* name;
    std::function<void(store::ListFilter&)> set;
  };
  const std::vector<Search> searches = {
      {"none", [](auto&) {}},
      {"status=failed", [](auto& f) { f.status = MessageStatus::failed; }},
      {"status=queued", [](auto& f) { f.status = MessageStatus::queued; }},
      {"provider=p2", [](auto& f) { f.provider = "p2"; }},
      {"recipient(50_msgs)", [](auto& f) { f.recipient = "user123@example4.org"; }},
      {"recipient(10%)", [](auto& f) { f.recipient = "ops@EXAMPLE.com"; }},
      {"tag(2%)", [](auto& f) { f.tag = "t7"; }},
      {"tag(1%)", [](auto& f) { f.tag = "rare"; }},
      {"range(10%)",
       [&](auto& f) {
         f.since = at(0.4).timestamp();
         f.until = at(0.5).timestamp();
       }},
      {"status=failed+provider=p1",
       [](auto& f) {
         f.status = MessageStatus::failed;
         f.provider = "p1";
       }},
      {"tag(2%)+status=failed",
       [](auto& f) {
         f.tag = "t7";
         f.status = MessageStatus::failed;
       }},
      {"recipient(10%)+status=deferred",
       [](auto& f) {
         f.recipient = "ops@example.com";
         f.status = MessageStatus::deferred;
       }},
      {"tag(1%)+provider=p3+status=sent",
       [](auto& f) {
         f.tag = "rare";
         f.provider = "p3";
         f.status = MessageStatus::sent;
       }},
      {"provider=p0+range(10%)",
       [&](auto& f) {
         f.provider = "p0";
         f.since = at(0.4).timestamp();
         f.until = at(0.5).timestamp();
       }},
  };
  for (const auto& search : searches) {
    for (const bool deep : {false, true}) {
      store::ListFilter f;
      f.limit = page;
      search.set(f);
      // Deep: 90% of the way back (within the time range for one).
      if (deep) f.before = f.until ? at(0.41) : at(0.1);
      std::vector<double> took;
      std::size_t rows = 0;
      for (int n = 0; n < samples; ++n) {
        auto start = Steady::now();
        auto r = s.list_messages(f);
        took.push_back(ms(Steady::now() - start));
        if (!r) {
          std::fprintf(stderr, "%s: %s\n", search.name, r.error().message().c_str());
          return 1;
        }
        rows = r->size();
      }
      std::sort(took.begin(), took.end());
      auto pct = [&](double p) {
        return took[std::min(took.size() - 1,
                             static_cast<std::size_t>(p * static_cast<double>(took.size())))];
      };
      std::printf("filter=%s page=%s p50_ms=%.2f p99_ms=%.2f max_ms=%.2f rows=%zu\n", search.name,
                  deep ? "deep" : "first", pct(0.5), pct(0.99), took.back(), rows);
      std::fflush(stdout);
    }
  }
  s.close();
  return 0;
}
