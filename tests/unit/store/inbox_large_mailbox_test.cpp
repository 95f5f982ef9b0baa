// A mailbox of 100,000 entries (the IMAP benchmark's, bench/imap.sh) read
// whole: every entry, and every entry with its summary. Not timed here (a
// sanitizer build is several times slower); it prints how long each read
// took. docs/inbox.md's figures come from a release build with
// kCopiesPerMessage = 1 (a blob per entry); 10 here keeps the sanitizer
// build's filling of the mailbox short.
#include <gtest/gtest.h>
#include <time.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <future>

#include "inbox_fixture.h"

namespace postern::store {
namespace {

constexpr std::uint32_t kEntries = 100'000;
constexpr std::uint32_t kCopiesPerMessage = 10;  // entries per delivery (sharing a blob)

class InboxLargeMailboxTest : public InboxFixture {};

double thread_cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

// Prints the wall time and the calling thread's CPU time (reads run on the
// caller's thread): on a loaded machine the second is the one to compare.
template <class F>
auto timed(const char* what, F&& f) {
  auto start = std::chrono::steady_clock::now();
  auto cpu_start = thread_cpu_ms();
  auto out = f();
  auto cpu = thread_cpu_ms() - cpu_start;
  std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
  std::printf("[ timing   ] %s: %.1f ms (%.1f ms CPU)\n", what, took.count(), cpu);
  return out;
}

TEST_F(InboxLargeMailboxTest, HundredThousandEntriesAreReadWhole) {
  auto a = create_account("bench").value();
  auto box = inbox_of(a.id);
  std::string text(800, 'x');
  std::atomic<int> failures{0};
  // In rounds, each awaited, so the writer's queue (SqliteOptions::max_queue)
  // never overflows.
  constexpr std::uint32_t kRound = 10'000;
  const std::uint32_t messages = kEntries / kCopiesPerMessage;
  for (std::uint32_t first = 0; first < messages; first += kRound) {
    const std::uint32_t count = std::min(kRound, messages - first);
    std::atomic<std::uint32_t> pending{count};
    std::promise<void> round_done;
    for (std::uint32_t i = first; i < first + count; ++i) {
      auto subject = "Message number " + std::to_string(i);
      auto d = delivery("Subject: " + subject + "\r\n\r\n" + text, {}, subject);
      d.summary.envelope = "(\"Mon, 7 Dec 2026 10:00:00 +0000\" \"" + subject +
                           "\" ((\"Ann\" NIL \"ann\" \"example.org\")) ((\"Ann\" NIL \"ann\" "
                           "\"example.org\")) ((\"Ann\" NIL \"ann\" \"example.org\")) ((NIL NIL "
                           "\"bob\" \"inbox.example.test\")) NIL NIL NIL \"<m@example.org>\")";
      d.summary.body_structure =
          "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 800 1 NIL NIL NIL NIL)";
      d.summary.body = "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 800 1)";
      d.summary.text = text;
      for (std::uint32_t c = 0; c < kCopiesPerMessage; ++c)
        d.targets.push_back({a.id, "INBOX", {}});
      inbox().deliver(std::move(d), [&](Result<std::vector<DeliveredCopy>> r) {
        if (!r) ++failures;
        if (--pending == 0) round_done.set_value();
      });
    }
    round_done.get_future().wait();
  }
  ASSERT_EQ(failures.load(), 0);

  auto entries = timed("entries() of 100,000", [&] { return inbox().entries(box); });
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), kEntries);
  EXPECT_EQ(entries->back().uid, kEntries);
  auto counts = timed("mailbox_counts() of 100,000", [&] { return inbox().mailbox_counts(box); });
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->exists, kEntries);
  std::vector<std::uint32_t> uids;
  for (const auto& e : *entries) uids.push_back(e.uid);
  auto summaries = timed("entries_with_summary() of 100,000",
                         [&] { return inbox().entries_with_summary(box, uids); });
  ASSERT_TRUE(summaries);
  ASSERT_EQ(summaries->size(), kEntries);
  EXPECT_EQ(summaries->back().summary.subject,
            "Message number " + std::to_string(kEntries / kCopiesPerMessage - 1));
  auto brief = timed("entries_without_text() of 100,000",
                     [&] { return inbox().entries_without_text(box, uids); });
  ASSERT_TRUE(brief);
  ASSERT_EQ(brief->size(), kEntries);
  EXPECT_EQ(brief->back().summary.envelope, summaries->back().summary.envelope);
  EXPECT_TRUE(brief->back().summary.text.empty());
  auto changes = timed("changes_since(highest) of 100,000", [&] {
    return inbox().changes_since(box, inbox().mailbox_by_id(box)->highest_modseq);
  });
  ASSERT_TRUE(changes);
  EXPECT_TRUE(changes->changed.empty());
  auto page = timed("search() newest 50 of 100,000", [&] { return inbox().search(box, {}); });
  ASSERT_TRUE(page);
  EXPECT_EQ(page->front().entry.uid, kEntries);
}

}  // namespace
}  // namespace postern::store
