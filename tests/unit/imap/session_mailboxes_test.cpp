// The IMAP session's authenticated-state commands, byte for byte: SELECT,
// EXAMINE, CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, LIST, LSUB,
// STATUS.
#include <gtest/gtest.h>

#include "session_harness.h"

namespace postern::imap::test {
namespace {

class MailboxCommands : public SessionTest {
 protected:
  void SetUp() override {
    SessionTest::SetUp();
    c_ = connect();
    ASSERT_EQ(c_->send("a LOGIN ann secret\r\n"), "a OK Logged in.\r\n");
  }
  std::unique_ptr<Client> c_;
};

TEST_F(MailboxCommands, SelectsAMailbox) {
  deliver_message("one");
  deliver_message("two");
  auto v = std::to_string(uid_validity());
  EXPECT_EQ(c_->send("s SELECT INBOX\r\n"),
            "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
            "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags "
            "permitted.\r\n"
            "* 2 EXISTS\r\n"
            "* 2 RECENT\r\n"
            "* OK [UNSEEN 1] First unseen.\r\n"
            "* OK [UIDVALIDITY " +
                v +
                "] UIDs valid.\r\n"
                "* OK [UIDNEXT 3] Predicted next UID.\r\n"
                "s OK [READ-WRITE] Select completed.\r\n");
}

TEST_F(MailboxCommands, ExaminesReadOnlyWithoutTakingRecent) {
  deliver_message("one");
  auto v = std::to_string(uid_validity());
  auto examine =
      "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
      "* OK [PERMANENTFLAGS ()] Read-only mailbox.\r\n"
      "* 1 EXISTS\r\n"
      "* 1 RECENT\r\n"
      "* OK [UNSEEN 1] First unseen.\r\n"
      "* OK [UIDVALIDITY " +
      v +
      "] UIDs valid.\r\n"
      "* OK [UIDNEXT 2] Predicted next UID.\r\n"
      "e OK [READ-ONLY] Examine completed.\r\n";
  EXPECT_EQ(c_->send("e EXAMINE inbox\r\n"), examine);
  // Still recent for the next session: EXAMINE did not claim it.
  EXPECT_EQ(c_->send("e EXAMINE INBOX\r\n"), examine);
  EXPECT_EQ(c_->send("f STORE 1 +FLAGS (\\Seen)\r\n"),
            "f NO [READ-ONLY] Mailbox is read-only.\r\n");
  EXPECT_EQ(c_->send("g EXPUNGE\r\n"), "g NO [READ-ONLY] Mailbox is read-only.\r\n");
}

TEST_F(MailboxCommands, SelectOfAMissingMailboxLeavesNoneSelected) {
  c_->send("s SELECT INBOX\r\n");
  EXPECT_EQ(c_->send("t SELECT Nope\r\n"), "t NO [NONEXISTENT] Mailbox doesn't exist.\r\n");
  EXPECT_EQ(c_->send("u NOOP\r\n"), "u OK NOOP completed.\r\n");
  EXPECT_EQ(c_->send("v FETCH 1 FLAGS\r\n"), "v BAD FETCH not valid in this state\r\n");
}

TEST_F(MailboxCommands, CreatesRenamesAndDeletes) {
  EXPECT_EQ(c_->send("a CREATE Work/\r\n"), "a OK Create completed.\r\n");
  EXPECT_EQ(c_->send("b CREATE Work\r\n"), "b NO [ALREADYEXISTS] Mailbox already exists.\r\n");
  EXPECT_EQ(c_->send("c CREATE inbox\r\n"), "c NO [ALREADYEXISTS] Mailbox already exists.\r\n");
  EXPECT_EQ(c_->send("d RENAME Work Done\r\n"), "d OK Rename completed.\r\n");
  EXPECT_EQ(c_->send("e RENAME Work Other\r\n"), "e NO [NONEXISTENT] Mailbox doesn't exist.\r\n");
  EXPECT_EQ(c_->send("f DELETE INBOX\r\n"), "f NO [CANNOT] INBOX cannot be deleted.\r\n");
  EXPECT_EQ(c_->send("g DELETE Done\r\n"), "g OK Delete completed.\r\n");
  EXPECT_EQ(c_->send("h DELETE Done\r\n"), "h NO [NONEXISTENT] Mailbox doesn't exist.\r\n");
  EXPECT_EQ(c_->send("i CREATE &Jjo\r\n"),
            "i NO [CANNOT] Mailbox name is not valid modified UTF-7.\r\n");
  EXPECT_EQ(mailbox_names(account_), std::vector<std::string>{"INBOX"});
}

TEST_F(MailboxCommands, ListsWithWildcardsAndChildren) {
  c_->send("a CREATE Work/2026\r\n");
  c_->send("b CREATE Entw&APw-rfe\r\n");
  EXPECT_EQ(c_->send("l LIST \"\" *\r\n"),
            "* LIST (\\HasNoChildren) \"/\" \"INBOX\"\r\n"
            "* LIST (\\HasNoChildren) \"/\" \"Entw&APw-rfe\"\r\n"
            "* LIST (\\Noselect \\HasChildren) \"/\" \"Work\"\r\n"
            "* LIST (\\HasNoChildren) \"/\" \"Work/2026\"\r\n"
            "l OK List completed.\r\n");
  EXPECT_EQ(c_->send("m LIST \"\" %\r\n"),
            "* LIST (\\HasNoChildren) \"/\" \"INBOX\"\r\n"
            "* LIST (\\HasNoChildren) \"/\" \"Entw&APw-rfe\"\r\n"
            "* LIST (\\Noselect \\HasChildren) \"/\" \"Work\"\r\n"
            "m OK List completed.\r\n");
  EXPECT_EQ(c_->send("n LIST Work %\r\n"),
            "* LIST (\\HasNoChildren) \"/\" \"Work/2026\"\r\n"
            "n OK List completed.\r\n");
  EXPECT_EQ(c_->send("o LIST \"\" inBox\r\n"),
            "* LIST (\\HasNoChildren) \"/\" \"INBOX\"\r\n"
            "o OK List completed.\r\n");
  EXPECT_EQ(c_->send("p LIST \"\" \"\"\r\n"),
            "* LIST (\\Noselect) \"/\" \"\"\r\np OK List completed.\r\n");
}

TEST_F(MailboxCommands, SubscribesAndListsSubscriptions) {
  c_->send("a CREATE Work\r\n");
  EXPECT_EQ(c_->send("b SUBSCRIBE Work\r\n"), "b OK Subscribe completed.\r\n");
  EXPECT_EQ(c_->send("c SUBSCRIBE Nope\r\n"), "c NO [NONEXISTENT] Mailbox doesn't exist.\r\n");
  EXPECT_EQ(c_->send("d LSUB \"\" *\r\n"), "* LSUB () \"/\" \"Work\"\r\nd OK Lsub completed.\r\n");
  EXPECT_EQ(c_->send("e UNSUBSCRIBE Work\r\n"), "e OK Unsubscribe completed.\r\n");
  EXPECT_EQ(c_->send("f LSUB \"\" *\r\n"), "f OK Lsub completed.\r\n");
}

TEST_F(MailboxCommands, AnswersStatus) {
  deliver_message("one");
  deliver_message("two");
  auto v = std::to_string(uid_validity());
  EXPECT_EQ(c_->send("a STATUS INBOX (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN)\r\n"),
            "* STATUS \"INBOX\" (MESSAGES 2 RECENT 2 UIDNEXT 3 UIDVALIDITY " + v +
                " UNSEEN 2)\r\na OK Status completed.\r\n");
  c_->send("b SELECT INBOX\r\n");
  // This session has taken them as recent: no longer recent for others.
  EXPECT_EQ(c_->send("c STATUS INBOX (RECENT)\r\n"),
            "* STATUS \"INBOX\" (RECENT 0)\r\nc OK Status completed.\r\n");
  EXPECT_EQ(c_->send("d STATUS Nope (MESSAGES)\r\n"),
            "d NO [NONEXISTENT] Mailbox doesn't exist.\r\n");
}

}  // namespace
}  // namespace postern::imap::test
