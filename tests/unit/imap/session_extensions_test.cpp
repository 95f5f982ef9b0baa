// ID, NAMESPACE, ENABLE and IDLE byte for byte, with updates pushed
// during IDLE as the driver reports changes.
#include <gtest/gtest.h>

#include "session_harness.h"

namespace postern::imap::test {
namespace {

class ExtensionCommands : public SessionTest {};

TEST_F(ExtensionCommands, AnswersIdInAnyState) {
  auto c = connect();
  EXPECT_EQ(c->send("i ID (\"name\" \"imaplib\")\r\n"),
            "* ID (\"name\" \"Postern\" \"version\" \"dev\")\r\ni OK ID completed.\r\n");
  c->send("a LOGIN ann secret\r\n");
  EXPECT_EQ(c->send("j ID NIL\r\n"),
            "* ID (\"name\" \"Postern\" \"version\" \"dev\")\r\nj OK ID completed.\r\n");
}

TEST_F(ExtensionCommands, AnswersNamespaceAndEnable) {
  auto c = connect();
  EXPECT_EQ(c->send("n NAMESPACE\r\n"), "n BAD NAMESPACE not valid in this state\r\n");
  c->send("a LOGIN ann secret\r\n");
  EXPECT_EQ(c->send("n NAMESPACE\r\n"),
            "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\nn OK Namespace completed.\r\n");
  EXPECT_EQ(c->send("e ENABLE CONDSTORE UTF8=ACCEPT\r\n"),
            "* ENABLED\r\ne OK Enable completed.\r\n");
  c->send("s SELECT INBOX\r\n");
  EXPECT_EQ(c->send("f ENABLE CONDSTORE\r\n"), "f BAD ENABLE not valid in this state\r\n");
}

TEST_F(ExtensionCommands, IdlesUntilDone) {
  auto c = connect();
  c->send("a LOGIN ann secret\r\n");
  EXPECT_EQ(c->send("i IDLE\r\n"), "+ idling\r\n");
  EXPECT_EQ(c->send("DONE\r\n"), "i OK IDLE terminated.\r\n");
  EXPECT_EQ(c->send("j IDLE\r\n"), "+ idling\r\n");
  EXPECT_EQ(c->send("k NOOP\r\n"), "j BAD Expected DONE to end IDLE.\r\n");
  EXPECT_EQ(c->send("k NOOP\r\n"), "k OK NOOP completed.\r\n");
}

TEST_F(ExtensionCommands, PushesUpdatesWhileIdling) {
  deliver_message("one");
  auto c = selected_session();
  auto other = selected_session();
  EXPECT_EQ(c->send("i IDLE\r\n"), "+ idling\r\n");
  EXPECT_TRUE(c->idling());
  deliver_message("two");
  EXPECT_EQ(c->mailbox_changed(), "* 2 EXISTS\r\n* 2 RECENT\r\n");
  EXPECT_EQ(c->mailbox_changed(), "");  // nothing new
  other->send("s STORE 1 +FLAGS (\\Flagged)\r\n");
  EXPECT_EQ(c->mailbox_changed(), "* 1 FETCH (FLAGS (\\Flagged \\Recent))\r\n");
  other->send("s STORE 2 +FLAGS (\\Deleted)\r\n");
  other->send("x EXPUNGE\r\n");
  EXPECT_EQ(c->mailbox_changed(), "* 2 EXPUNGE\r\n");
  EXPECT_EQ(c->send("done\r\n"), "i OK IDLE terminated.\r\n");
  EXPECT_FALSE(c->idling());
  EXPECT_EQ(c->mailbox_changed(), "");  // outside IDLE: with the next command
}

TEST_F(ExtensionCommands, SendsPendingUpdatesWhenIdleStarts) {
  auto c = selected_session();
  deliver_message("one");
  EXPECT_EQ(c->send("i IDLE\r\n"), "* 1 EXISTS\r\n* 1 RECENT\r\n+ idling\r\n");
}

TEST_F(ExtensionCommands, SaysByeWhenTheIdledMailboxIsDeleted) {
  ASSERT_TRUE(create_mailbox(account_, "Work"));
  auto c = connect();
  c->send("a LOGIN ann secret\r\nb SELECT Work\r\n");
  c->send("i IDLE\r\n");
  ASSERT_TRUE(delete_mailbox(account_, "Work"));
  EXPECT_EQ(c->mailbox_changed(), "* BYE The selected mailbox was deleted.\r\n");
  EXPECT_TRUE(c->closed());
}

}  // namespace
}  // namespace postern::imap::test
