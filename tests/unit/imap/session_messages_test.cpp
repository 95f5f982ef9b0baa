// The IMAP session's selected-state commands, byte for byte: FETCH, STORE,
// EXPUNGE, CLOSE, UNSELECT, CHECK, their UID forms, and two sessions on
// one mailbox seeing each other's changes.
#include <gtest/gtest.h>

#include "session_harness.h"

namespace postern::imap::test {
namespace {

class MessageCommands : public SessionTest {
 protected:
  void SetUp() override {
    SessionTest::SetUp();
    deliver_message("one");
    deliver_message("two", "Second body.\r\n");
    c_ = selected_session();
  }
  std::unique_ptr<Client> c_;
};

TEST_F(MessageCommands, FetchesAttributesFromTheStore) {
  auto summary = inbox().entries_with_summary(inbox_of(account_), {1}).value().at(0);
  EXPECT_EQ(c_->send("f FETCH 1 (FLAGS UID RFC822.SIZE INTERNALDATE)\r\n"),
            "* 1 FETCH (FLAGS (\\Recent) UID 1 RFC822.SIZE " + std::to_string(summary.entry.size) +
                " INTERNALDATE \"14-Nov-2023 22:13:20 +0000\")\r\n"
                "f OK Fetch completed.\r\n");
  EXPECT_EQ(c_->send("g FETCH 1 (ENVELOPE BODYSTRUCTURE)\r\n"),
            "* 1 FETCH (ENVELOPE " + summary.summary.envelope + " BODYSTRUCTURE " +
                summary.summary.body_structure + ")\r\ng OK Fetch completed.\r\n");
  EXPECT_NE(summary.summary.envelope.find("\"one\""), std::string::npos);
}

TEST_F(MessageCommands, AnswersALongFetchInChunksWithFlushes) {
  for (int i = 0; i < 3; ++i) deliver_message("more" + std::to_string(i));
  c_->send("n NOOP\r\n");
  auto whole = c_->send("f FETCH 1:* (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])\r\n");
  policy_.fetch_chunk = 2;
  policy_.flush_bytes = 1;
  auto chunked = selected_session();
  EXPECT_EQ(chunked->send("f FETCH 1:* (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])\r\n"), whole);
  EXPECT_EQ(chunked->flushes(), 3);  // after messages 2 and 4, and 5 before the tagged OK
  EXPECT_NE(whole.find("* 5 FETCH (UID 5 BODY[HEADER.FIELDS (SUBJECT)] {18}\r\nSubject: more2"),
            std::string::npos)
      << whole;
}

TEST_F(MessageCommands, PeeksWithoutSettingSeen) {
  EXPECT_EQ(c_->send("f FETCH 2 (BODY.PEEK[HEADER.FIELDS (Subject)])\r\n"),
            "* 2 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {16}\r\nSubject: two\r\n\r\n)\r\n"
            "f OK Fetch completed.\r\n");
  EXPECT_EQ(c_->send("g FETCH 2 (BODY.PEEK[TEXT]<7.4>)\r\n"),
            "* 2 FETCH (BODY[TEXT]<7> {4}\r\nbody)\r\ng OK Fetch completed.\r\n");
  EXPECT_EQ(c_->send("h FETCH 2 FLAGS\r\n"),
            "* 2 FETCH (FLAGS (\\Recent))\r\nh OK Fetch completed.\r\n");
}

TEST_F(MessageCommands, BodyFetchSetsSeenAndSaysSo) {
  EXPECT_EQ(c_->send("f FETCH 2 BODY[TEXT]\r\n"),
            "* 2 FETCH (BODY[TEXT] {14}\r\nSecond body.\r\n FLAGS (\\Seen \\Recent))\r\n"
            "f OK Fetch completed.\r\n");
  // Already seen: FLAGS is not added again.
  EXPECT_EQ(c_->send("g UID FETCH 2 BODY[TEXT]\r\n"),
            "* 2 FETCH (UID 2 BODY[TEXT] {14}\r\nSecond body.\r\n)\r\ng OK Fetch completed.\r\n");
  EXPECT_TRUE(inbox().entries(inbox_of(account_)).value().at(1).flags.has(store::SystemFlag::seen));
}

TEST_F(MessageCommands, RefusesSequenceNumbersPastTheEndButNotUids) {
  EXPECT_EQ(c_->send("f FETCH 3 FLAGS\r\n"), "f BAD Invalid message sequence number.\r\n");
  EXPECT_EQ(c_->send("g UID FETCH 3:* FLAGS\r\n"),
            "* 2 FETCH (UID 2 FLAGS (\\Recent))\r\ng OK Fetch completed.\r\n");
  EXPECT_EQ(c_->send("h UID FETCH 7 FLAGS\r\n"), "h OK Fetch completed.\r\n");
}

TEST_F(MessageCommands, StoresFlags) {
  EXPECT_EQ(c_->send("s STORE 1:2 +FLAGS (\\Flagged $Label)\r\n"),
            "* 1 FETCH (FLAGS (\\Flagged \\Recent $Label))\r\n"
            "* 2 FETCH (FLAGS (\\Flagged \\Recent $Label))\r\n"
            "s OK Store completed.\r\n");
  EXPECT_EQ(c_->send("t STORE 1 -FLAGS.SILENT (\\Flagged)\r\n"), "t OK Store completed.\r\n");
  EXPECT_EQ(c_->send("u UID STORE 2 FLAGS (\\Seen)\r\n"),
            "* 2 FETCH (UID 2 FLAGS (\\Seen \\Recent))\r\nu OK Store completed.\r\n");
  EXPECT_EQ(c_->send("v FETCH 1:* FLAGS\r\n"),
            "* 1 FETCH (FLAGS (\\Recent $Label))\r\n* 2 FETCH (FLAGS (\\Seen \\Recent))\r\n"
            "v OK Fetch completed.\r\n");
  EXPECT_EQ(c_->send("w STORE 1 +FLAGS (\\Bogus)\r\n"), "w BAD Invalid system flag.\r\n");
}

TEST_F(MessageCommands, ExpungesDeletedMessages) {
  c_->send("s STORE 1 +FLAGS.SILENT (\\Deleted)\r\n");
  EXPECT_EQ(c_->send("e EXPUNGE\r\n"), "* 1 EXPUNGE\r\ne OK Expunge completed.\r\n");
  EXPECT_EQ(c_->send("f FETCH 1 UID\r\n"), "* 1 FETCH (UID 2)\r\nf OK Fetch completed.\r\n");
  EXPECT_EQ(uids_of(inbox_of(account_)), std::vector<std::uint32_t>{2});
}

TEST_F(MessageCommands, UidExpungeTakesOnlyTheGivenUids) {
  c_->send("s STORE 1:2 +FLAGS.SILENT (\\Deleted)\r\n");
  EXPECT_EQ(c_->send("e UID EXPUNGE 2\r\n"), "* 2 EXPUNGE\r\ne OK Expunge completed.\r\n");
  EXPECT_EQ(c_->send("f UID EXPUNGE 9\r\n"), "f OK Expunge completed.\r\n");
  EXPECT_EQ(uids_of(inbox_of(account_)), std::vector<std::uint32_t>{1});
}

TEST_F(MessageCommands, ClosesExpungingSilently) {
  c_->send("s STORE 2 +FLAGS.SILENT (\\Deleted)\r\n");
  EXPECT_EQ(c_->send("c CLOSE\r\n"), "c OK Close completed.\r\n");
  EXPECT_EQ(c_->send("d FETCH 1 FLAGS\r\n"), "d BAD FETCH not valid in this state\r\n");
  EXPECT_EQ(uids_of(inbox_of(account_)), std::vector<std::uint32_t>{1});
}

TEST_F(MessageCommands, ClosesAnExaminedMailboxWithoutExpunging) {
  c_->send("s STORE 2 +FLAGS.SILENT (\\Deleted)\r\n");
  c_->send("e EXAMINE INBOX\r\n");
  EXPECT_EQ(c_->send("c CLOSE\r\n"), "c OK Close completed.\r\n");
  EXPECT_EQ(uids_of(inbox_of(account_)), (std::vector<std::uint32_t>{1, 2}));
}

TEST_F(MessageCommands, UnselectsWithoutExpunging) {
  c_->send("s STORE 2 +FLAGS.SILENT (\\Deleted)\r\n");
  EXPECT_EQ(c_->send("c UNSELECT\r\n"), "c OK Unselect completed.\r\n");
  EXPECT_EQ(c_->send("d CHECK\r\n"), "d BAD CHECK not valid in this state\r\n");
  EXPECT_EQ(uids_of(inbox_of(account_)), (std::vector<std::uint32_t>{1, 2}));
}

TEST_F(MessageCommands, TwoSessionsSeeEachOthersFlagsAndNewMail) {
  auto other = selected_session();
  EXPECT_EQ(other->send("s STORE 1 +FLAGS (\\Answered)\r\n"),
            "* 1 FETCH (FLAGS (\\Answered))\r\ns OK Store completed.\r\n");
  EXPECT_EQ(c_->send("n NOOP\r\n"),
            "* 1 FETCH (FLAGS (\\Answered \\Recent))\r\nn OK NOOP completed.\r\n");
  EXPECT_EQ(c_->send("m NOOP\r\n"), "m OK NOOP completed.\r\n");

  deliver_message("three");
  EXPECT_EQ(other->send("n NOOP\r\n"), "* 3 EXISTS\r\n* 1 RECENT\r\nn OK NOOP completed.\r\n");
  // The first to see it has it as recent; the other does not.
  EXPECT_EQ(c_->send("n NOOP\r\n"), "* 3 EXISTS\r\n* 2 RECENT\r\nn OK NOOP completed.\r\n");
}

TEST_F(MessageCommands, HoldsExpungesBackDuringFetchAndStore) {
  auto other = selected_session();
  other->send("s STORE 1 +FLAGS.SILENT (\\Deleted)\r\n");
  other->send("e EXPUNGE\r\n");
  // RFC 3501 §7.4.1: not during FETCH or STORE; the message keeps its number.
  EXPECT_EQ(c_->send("f FETCH 1:2 UID\r\n"),
            "* 2 FETCH (UID 2)\r\nf NO Some of the requested messages no longer exist.\r\n");
  EXPECT_EQ(c_->send("g STORE 2 +FLAGS (\\Seen)\r\n"),
            "* 2 FETCH (FLAGS (\\Seen \\Recent))\r\ng OK Store completed.\r\n");
  EXPECT_EQ(c_->send("h NOOP\r\n"), "* 1 EXPUNGE\r\nh OK NOOP completed.\r\n");
  EXPECT_EQ(c_->send("i FETCH 1 UID\r\n"), "* 1 FETCH (UID 2)\r\ni OK Fetch completed.\r\n");
}

TEST_F(MessageCommands, EndsSessionsWhoseMailboxIsDeleted) {
  auto other = connect();
  other->send("a LOGIN ann secret\r\n");
  other->send("b CREATE Work\r\n");
  c_->send("s SELECT Work\r\n");
  EXPECT_EQ(other->send("c DELETE Work\r\n"), "c OK Delete completed.\r\n");
  EXPECT_EQ(c_->send("n NOOP\r\n"),
            "n OK NOOP completed.\r\n* BYE The selected mailbox was deleted.\r\n");
  EXPECT_TRUE(c_->closed());
}

TEST_F(MessageCommands, UidCommandsMaySeeExpunges) {
  auto other = selected_session();
  other->send("s STORE 1 +FLAGS.SILENT (\\Deleted)\r\n");
  other->send("e EXPUNGE\r\n");
  EXPECT_EQ(c_->send("f UID FETCH 2 UID\r\n"),
            "* 2 FETCH (UID 2)\r\n* 1 EXPUNGE\r\nf OK Fetch completed.\r\n");
}

}  // namespace
}  // namespace postern::imap::test
