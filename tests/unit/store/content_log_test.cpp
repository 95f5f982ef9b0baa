#include "store/sqlite/content_log.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <set>

#include "support/temp_dir.h"

namespace postern::store::sqlite {
namespace {

using namespace std::chrono_literals;

class ContentLogTest : public ::testing::Test {
 protected:
  std::unique_ptr<ContentLog> open(std::uint64_t segment_bytes = 64ull << 20) {
    auto log = ContentLog::open(dir_.path() / "content",
                                ContentLogOptions{.segment_bytes = segment_bytes});
    EXPECT_TRUE(log) << log.error().message();
    return log ? std::move(*log) : nullptr;
  }
  std::filesystem::path segment_file(std::uint32_t id) const {
    char name[24];
    std::snprintf(name, sizeof name, "%010u.seg", id);
    return dir_.path() / "content" / name;
  }
  // Overwrites one byte of a segment file, as a failing disk would.
  void damage(std::uint32_t segment, std::uint64_t offset) const {
    std::fstream f(segment_file(segment), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(offset));
    f.put('#');
  }

  test::TempDir dir_;
};

TEST_F(ContentLogTest, AppendedBytesReadBackExactly) {
  auto log = open();
  std::string binary("a\0b\r\n.\xff", 7);
  auto first = log->append("hello");
  auto empty = log->append("");
  auto second = log->append(binary);
  ASSERT_TRUE(first && empty && second);
  EXPECT_EQ(first->offset, 0u);
  EXPECT_EQ(second->offset, 5u);
  ASSERT_TRUE(log->write_pending());
  ASSERT_TRUE(log->sync());
  EXPECT_EQ(log->read(*first).value(), "hello");
  EXPECT_EQ(log->read(*empty).value(), "");
  EXPECT_EQ(log->read(*second).value(), binary);
}

TEST_F(ContentLogTest, FullSegmentsAndEachOpeningStartANewSegment) {
  std::vector<std::pair<ContentRef, std::string>> written;
  {
    auto log = open(100);
    for (int i = 0; i < 5; ++i) {
      auto text = std::string(40, static_cast<char>('a' + i));
      auto ref = log->append(text);
      ASSERT_TRUE(ref);
      written.emplace_back(*ref, text);
    }
    ASSERT_TRUE(log->write_pending());
    ASSERT_TRUE(log->sync());
    // 40 + 40 fit in 100 bytes, a third does not: segments 1, 1, 2, 2, 3.
    EXPECT_EQ(written[1].first.segment, 1u);
    EXPECT_EQ(written[2].first.segment, 2u);
    EXPECT_EQ(written[4].first.segment, 3u);
  }
  auto log = open(100);
  auto after = log->append("more");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->segment, 4u);
  EXPECT_EQ(after->offset, 0u);
  for (const auto& [ref, text] : written) EXPECT_EQ(log->read(ref).value(), text);
}

// A message that stays (quarantined, long deferred) keeps its own segment
// only: the unreferenced segments after it go, and so does none that is
// still being written.
TEST_F(ContentLogTest, ReclaimRemovesEverySegmentNoRowRefersToBelowTheCommittedFloor) {
  auto log = open(100);
  std::vector<ContentRef> refs;
  for (int i = 0; i < 8; ++i) {  // two 40-byte appends per 100-byte segment: segments 1 to 4
    auto ref = log->append(std::string(40, static_cast<char>('a' + i)));
    ASSERT_TRUE(ref);
    refs.push_back(*ref);
  }
  ASSERT_TRUE(log->write_pending());
  log->note_committed();  // the floor: segment 4, being written
  ASSERT_EQ(refs.back().segment, 4u);

  auto freed = log->reclaim([&]() -> Result<std::set<std::uint32_t>> {
    return std::set<std::uint32_t>{1, 3};
  });
  ASSERT_TRUE(freed) << freed.error().message();
  EXPECT_EQ(*freed, 80u);  // segment 2's two appends
  EXPECT_TRUE(std::filesystem::exists(segment_file(1)));
  EXPECT_FALSE(std::filesystem::exists(segment_file(2)));
  EXPECT_TRUE(std::filesystem::exists(segment_file(3)));
  EXPECT_TRUE(std::filesystem::exists(segment_file(4)));
  EXPECT_EQ(log->read(refs[0]).value(), std::string(40, 'a'));
  EXPECT_EQ(log->read(refs[5]).value(), std::string(40, 'f'));
  EXPECT_EQ(log->read(refs[2]).error(), Errc::corrupt);

  // Nothing referred to any more: all but the segment being written go.
  freed =
      log->reclaim([]() -> Result<std::set<std::uint32_t>> { return std::set<std::uint32_t>{}; });
  ASSERT_TRUE(freed);
  EXPECT_EQ(*freed, 160u);
  EXPECT_TRUE(std::filesystem::exists(segment_file(4)));
  EXPECT_EQ(log->read(refs[7]).value(), std::string(40, 'h'));
}

TEST_F(ContentLogTest, AMessageLargerThanASegmentGetsOneOfItsOwn) {
  auto log = open(100);
  ASSERT_TRUE(log->append("small"));
  auto big = log->append(std::string(1000, 'b'));
  ASSERT_TRUE(big && log->write_pending());
  EXPECT_EQ(big->segment, 2u);
  EXPECT_EQ(log->read(*big).value(), std::string(1000, 'b'));
}

TEST_F(ContentLogTest, ChangedBytesAreReportedAsCorrupt) {
  auto log = open();
  auto ref = log->append("the content of a message");
  ASSERT_TRUE(ref && log->write_pending() && log->sync());
  damage(ref->segment, ref->offset + 4);
  auto read = log->read(*ref);
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error(), Errc::corrupt);
}

TEST_F(ContentLogTest, MissingOrShortSegmentsAreReportedAsCorrupt) {
  auto log = open();
  auto ref = log->append("0123456789");
  ASSERT_TRUE(ref && log->write_pending() && log->sync());
  auto beyond = *ref;
  beyond.offset = 5;  // runs past the end of what was written
  EXPECT_EQ(log->read(beyond).error(), Errc::corrupt);
  auto elsewhere = *ref;
  elsewhere.segment = 99;
  EXPECT_EQ(log->read(elsewhere).error(), Errc::corrupt);
}

TEST_F(ContentLogTest, AppendsReachTheFileAtWritePendingInOneWrite) {
  auto log = open();
  auto first = log->append("first ");
  auto second = log->append("second");
  ASSERT_TRUE(first && second);
  EXPECT_EQ(std::filesystem::file_size(segment_file(1)), 0u);
  ASSERT_TRUE(log->write_pending());
  EXPECT_EQ(std::filesystem::file_size(segment_file(1)), 12u);
  EXPECT_EQ(log->read(*second).value(), "second");
  ASSERT_TRUE(log->write_pending());  // nothing pending: a no-op
  EXPECT_EQ(std::filesystem::file_size(segment_file(1)), 12u);
}

// The writer's own transaction may read what it appended (a lease in the
// batch that enqueued the message): from memory, before any write.
TEST_F(ContentLogTest, PendingAppendsReadBackBeforeTheyAreWritten) {
  auto log = open();
  auto written = log->append("written ");
  ASSERT_TRUE(written && log->write_pending());
  auto pending = log->append("pending");
  ASSERT_TRUE(pending);
  EXPECT_EQ(std::filesystem::file_size(segment_file(1)), 8u);
  EXPECT_EQ(log->read(*pending).value(), "pending");
  EXPECT_EQ(log->read(*written).value(), "written ");
  auto wrong = *pending;
  wrong.crc32c ^= 1;
  EXPECT_EQ(log->read(wrong).error(), Errc::corrupt);
}

TEST_F(ContentLogTest, DiscardedAppendsGiveTheirPlaceToTheNext) {
  auto log = open();
  auto kept = log->append("kept");
  ASSERT_TRUE(kept && log->write_pending());
  ASSERT_TRUE(log->append("rolled back"));
  log->discard_pending();
  auto next = log->append("next");
  ASSERT_TRUE(next && log->write_pending());
  EXPECT_EQ(next->offset, 4u);
  EXPECT_EQ(std::filesystem::file_size(segment_file(1)), 8u);
  EXPECT_EQ(log->read(*kept).value(), "kept");
  EXPECT_EQ(log->read(*next).value(), "next");
}

TEST_F(ContentLogTest, ManyPendingBytesAreWrittenWithoutWaitingForTheCommit) {
  auto log = open();
  std::string chunk(256 << 10, 'c');
  std::vector<ContentRef> refs;
  for (int i = 0; i < 8; ++i) {
    auto ref = log->append(chunk);
    ASSERT_TRUE(ref);
    refs.push_back(*ref);
  }
  // 2 MiB appended: at most the last MiB may still be in memory.
  EXPECT_GE(std::filesystem::file_size(segment_file(1)), 1u << 20);
  EXPECT_EQ(log->read(refs[0]).value(), chunk);
  ASSERT_TRUE(log->write_pending());
  EXPECT_EQ(std::filesystem::file_size(segment_file(1)), 2u << 20);
}

TEST_F(ContentLogTest, WaitingForReadersWaitsForThePinsTakenBefore) {
  auto log = open();
  auto pin = std::make_unique<ContentLog::ReadPin>(*log);
  auto waited = std::async(std::launch::async, [&] { log->wait_for_readers(); });
  EXPECT_EQ(waited.wait_for(100ms), std::future_status::timeout);
  pin.reset();
  EXPECT_EQ(waited.wait_for(10s), std::future_status::ready);
  // With no pin, nothing to wait for.
  log->wait_for_readers();
}

}  // namespace
}  // namespace postern::store::sqlite
