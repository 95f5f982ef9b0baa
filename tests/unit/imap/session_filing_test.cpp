// COPY, MOVE and APPEND byte for byte, with UIDPLUS's COPYUID and
// APPENDUID, TRYCREATE and OVERQUOTA.
#include <gtest/gtest.h>

#include "session_harness.h"

namespace postern::imap::test {
namespace {

class FilingCommands : public SessionTest {
 protected:
  void SetUp() override {
    SessionTest::SetUp();
    deliver_message("one");
    deliver_message("two");
    deliver_message("three");
    ASSERT_TRUE(create_mailbox(account_, "Archive"));
    c_ = selected_session();
    v_ = std::to_string(uid_validity("Archive"));
  }
  std::unique_ptr<Client> c_;
  std::string v_;
};

TEST_F(FilingCommands, CopiesWithCopyuid) {
  EXPECT_EQ(c_->send("c COPY 1,3 Archive\r\n"),
            "c OK [COPYUID " + v_ + " 1,3 1:2] Copy completed.\r\n");
  EXPECT_EQ(c_->send("d UID COPY 2:* Archive\r\n"),
            "d OK [COPYUID " + v_ + " 2:3 3:4] Copy completed.\r\n");
  EXPECT_EQ(inbox().entries(inbox().mailbox(account_, "Archive")->id)->size(), 4u);
  EXPECT_EQ(c_->send("e UID COPY 9 Archive\r\n"), "e OK Copy completed.\r\n");
  // Copying into the selected mailbox shows the copies as new mail.
  EXPECT_EQ(c_->send("f COPY 1 INBOX\r\n"), "* 4 EXISTS\r\n* 4 RECENT\r\nf OK [COPYUID " +
                                                std::to_string(uid_validity()) +
                                                " 1 4] Copy completed.\r\n");
}

TEST_F(FilingCommands, MovesWithExpunges) {
  EXPECT_EQ(c_->send("m MOVE 2:3 Archive\r\n"),
            "* OK [COPYUID " + v_ +
                " 2:3 1:2] Moved.\r\n* 3 EXPUNGE\r\n* 2 EXPUNGE\r\n"
                "m OK Move completed.\r\n");
  EXPECT_EQ(c_->send("n UID MOVE 1 Archive\r\n"),
            "* OK [COPYUID " + v_ + " 1 3] Moved.\r\n* 1 EXPUNGE\r\nn OK Move completed.\r\n");
  EXPECT_EQ(inbox().entries(inbox_of(account_))->size(), 0u);
}

TEST_F(FilingCommands, RefusesMissingTargetsAndBadSets) {
  EXPECT_EQ(c_->send("c COPY 1 Nowhere\r\n"), "c NO [TRYCREATE] Mailbox doesn't exist.\r\n");
  EXPECT_EQ(c_->send("m MOVE 1 Nowhere\r\n"), "m NO [TRYCREATE] Mailbox doesn't exist.\r\n");
  EXPECT_EQ(c_->send("d COPY 4 Archive\r\n"), "d BAD Invalid message sequence number.\r\n");
  auto examine = connect();
  examine->send("a LOGIN ann secret\r\n");
  EXPECT_EQ(examine->send("b COPY 1 Archive\r\n"), "b BAD COPY not valid in this state\r\n");
  examine->send("c EXAMINE INBOX\r\n");
  EXPECT_EQ(examine->send("d MOVE 1 Archive\r\n"), "d NO [READ-ONLY] Mailbox is read-only.\r\n");
  EXPECT_EQ(examine->send("e COPY 1 Archive\r\n"),
            "e OK [COPYUID " + v_ + " 1 1] Copy completed.\r\n");
}

TEST_F(FilingCommands, AppendsWithFlagsAndDate) {
  std::string msg = "Subject: appended\r\n\r\nHi.\r\n";
  EXPECT_EQ(c_->send("a APPEND Archive (\\Seen $Mine) \"14-Nov-2023 22:13:20 +0100\" {" +
                     std::to_string(msg.size()) + "}\r\n"),
            "+ Ready for literal data\r\n");
  EXPECT_EQ(c_->send(msg + "\r\n"), "a OK [APPENDUID " + v_ + " 1] Append completed.\r\n");
  auto entry = inbox().entries_with_summary(inbox().mailbox(account_, "Archive")->id, {1});
  ASSERT_TRUE(entry && entry->size() == 1);
  EXPECT_EQ(entry->at(0).summary.subject, "appended");
  EXPECT_TRUE(entry->at(0).entry.flags.has(store::SystemFlag::seen));
  EXPECT_EQ(entry->at(0).entry.flags.keywords, std::vector<std::string>{"$Mine"});
  EXPECT_EQ(c_->send("s STATUS Archive (MESSAGES)\r\n"),
            "* STATUS \"Archive\" (MESSAGES 1)\r\ns OK Status completed.\r\n");
  using namespace std::chrono;
  EXPECT_EQ(entry->at(0).entry.internal_date,
            sys_days(2023y / 11 / 14) + hours(21) + minutes(13) + seconds(20));
}

TEST_F(FilingCommands, AppendWithoutADateIsDatedByTheSessionsClock) {
  using namespace std::chrono;
  auto now = sys_days(2031y / 2 / 3) + hours(4) + minutes(5) + seconds(6);
  clock_.set(now + milliseconds(789));
  EXPECT_EQ(c_->send("a APPEND Archive {11+}\r\nSubject: x\r\n"),
            "a OK [APPENDUID " + v_ + " 1] Append completed.\r\n");
  auto entry = inbox().entries_with_summary(inbox().mailbox(account_, "Archive")->id, {1});
  ASSERT_TRUE(entry && entry->size() == 1);
  EXPECT_EQ(entry->at(0).entry.internal_date, now);  // whole seconds, as INTERNALDATE shows
}

TEST_F(FilingCommands, AppendToTheSelectedMailboxIsSeenAsExists) {
  auto other = selected_session();
  EXPECT_EQ(c_->send("a APPEND INBOX {11+}\r\nSubject: x\r\n"),
            "* 4 EXISTS\r\n* 4 RECENT\r\na OK [APPENDUID " + std::to_string(uid_validity()) +
                " 4] Append completed.\r\n");
  EXPECT_EQ(other->send("n NOOP\r\n"), "* 4 EXISTS\r\n* 0 RECENT\r\nn OK NOOP completed.\r\n");
}

TEST_F(FilingCommands, RefusesAppendsItCannotFile) {
  EXPECT_EQ(c_->send("a APPEND Nowhere {1+}\r\nx\r\n"),
            "a NO [TRYCREATE] Mailbox doesn't exist.\r\n");
  EXPECT_EQ(c_->send("b APPEND INBOX (\\Bogus) {1+}\r\nx\r\n"), "b BAD Invalid system flag.\r\n");
  ASSERT_TRUE(create_account("tiny", 10));
  logins_->add("tiny", "pw");
  auto t = connect();
  t->send("a LOGIN tiny pw\r\n");
  EXPECT_EQ(t->send("b APPEND INBOX {20+}\r\nSubject: too long\r\n\r\n"),
            "b NO [OVERQUOTA] Quota exceeded.\r\n");
  EXPECT_EQ(t->send("c APPEND INBOX {1+}\r\nx\r\n"),
            "c OK [APPENDUID " +
                std::to_string(
                    inbox().mailbox(inbox().account_by_user("tiny")->id, "INBOX")->uid_validity) +
                " 1] Append completed.\r\n");
}

}  // namespace
}  // namespace postern::imap::test
