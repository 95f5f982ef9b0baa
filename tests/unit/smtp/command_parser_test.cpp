// Byte-level cases of the SMTP command parser.
#include <gtest/gtest.h>

#include "smtp/parser/command.h"

namespace postern::smtp {
namespace {

Command parse_ok(std::string_view line) {
  auto r = parse_command(line);
  EXPECT_TRUE(r) << "line: " << line << " -> " << (r ? "" : r.error().detail);
  return r ? *r : Command{};
}

ReplyId parse_error(std::string_view line) {
  auto r = parse_command(line);
  EXPECT_FALSE(r) << "line unexpectedly parsed: " << line;
  return r ? ReplyId::ok : r.error().reply;
}

TEST(CommandParserTest, VerbsAreCaseInsensitive) {
  EXPECT_EQ(parse_ok("ehlo client.example").verb, Verb::ehlo);
  EXPECT_EQ(parse_ok("EhLo client.example").argument, "client.example");
  EXPECT_EQ(parse_ok("helo x").verb, Verb::helo);
  EXPECT_EQ(parse_ok("data").verb, Verb::data);
  EXPECT_EQ(parse_ok("Rset").verb, Verb::rset);
  EXPECT_EQ(parse_ok("quit").verb, Verb::quit);
  EXPECT_EQ(parse_ok("starttls").verb, Verb::starttls);
  EXPECT_EQ(parse_ok("noop anything at all").verb, Verb::noop);
  EXPECT_EQ(parse_ok("HELP").verb, Verb::help);
  EXPECT_EQ(parse_ok("VRFY someone").argument, "someone");
}

TEST(CommandParserTest, UnknownAndMalformedCommands) {
  EXPECT_EQ(parse_error("XYZZY"), ReplyId::command_unrecognized);
  EXPECT_EQ(parse_error(""), ReplyId::command_unrecognized);
  EXPECT_EQ(parse_error("MAILFROM:<a@b.c>"), ReplyId::command_unrecognized);
  EXPECT_EQ(parse_error("EHLO"), ReplyId::syntax_error);
  EXPECT_EQ(parse_error("DATA now"), ReplyId::syntax_error);
  EXPECT_EQ(parse_error("QUIT please"), ReplyId::syntax_error);
  EXPECT_EQ(parse_error("STARTTLS x"), ReplyId::syntax_error);
  EXPECT_EQ(parse_error("VRFY"), ReplyId::syntax_error);
  auto r = parse_command("DATA x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().verb, Verb::data);
}

TEST(CommandParserTest, ToleratesExtraSpaces) {
  EXPECT_EQ(parse_ok("  EHLO   client.example   ").argument, "client.example");
  EXPECT_EQ(parse_ok("MAIL FROM: <a@b.example>").path, "a@b.example");
  EXPECT_EQ(parse_ok("MAIL FROM:<a@b.example>   SIZE=10").size, 10u);
  EXPECT_EQ(parse_ok("RCPT TO:  <c@d.example>").path, "c@d.example");
  EXPECT_EQ(parse_ok("RSET  ").verb, Verb::rset);
}

TEST(CommandParserTest, MailFromPaths) {
  auto c = parse_ok("MAIL FROM:<alice@example.com>");
  EXPECT_EQ(c.verb, Verb::mail);
  EXPECT_EQ(c.path, "alice@example.com");
  EXPECT_EQ(parse_ok("mail from:<>").path, "");  // null reverse-path, bounces
  // RFC 5321 §4.1.2: source routes are accepted and ignored.
  EXPECT_EQ(parse_ok("MAIL FROM:<@relay.example,@other.example:bob@example.com>").path,
            "bob@example.com");
  // A quoted local part may hold '>' and spaces.
  EXPECT_EQ(parse_ok("MAIL FROM:<\"odd > name\"@example.com>").path, "\"odd > name\"@example.com");
  EXPECT_EQ(parse_ok("MAIL FROM:<j\xc3\xb6rg@b\xc3\xbc\x63her.example> SMTPUTF8").path,
            "j\xc3\xb6rg@b\xc3\xbc\x63her.example");
}

TEST(CommandParserTest, BadPaths) {
  EXPECT_EQ(parse_error("MAIL FROM:alice@example.com"), ReplyId::bad_sender_syntax);
  EXPECT_EQ(parse_error("MAIL FROM:<alice@example.com"), ReplyId::bad_sender_syntax);
  EXPECT_EQ(parse_error("MAIL FROM:<alice>"), ReplyId::bad_sender_syntax);
  EXPECT_EQ(parse_error("MAIL FROM:<a b@example.com>"), ReplyId::bad_sender_syntax);
  EXPECT_EQ(parse_error("MAIL FROM:<alice@example.com>SIZE=1"), ReplyId::bad_sender_syntax);
  EXPECT_EQ(parse_error("MAIL FROM:<@relay.example bob@example.com>"), ReplyId::bad_sender_syntax);
  EXPECT_EQ(parse_error("MAIL TO:<alice@example.com>"), ReplyId::syntax_error);
  EXPECT_EQ(parse_error("MAIL"), ReplyId::syntax_error);
  EXPECT_EQ(parse_error("RCPT TO:<>"), ReplyId::bad_recipient_syntax);
  EXPECT_EQ(parse_error("RCPT TO:<bob@>"), ReplyId::bad_recipient_syntax);
  EXPECT_EQ(parse_error("RCPT TO:<bob@exa mple.com>"), ReplyId::bad_recipient_syntax);
  EXPECT_EQ(parse_error("RCPT FROM:<bob@example.com>"), ReplyId::syntax_error);
  // RFC 5321 §4.5.3.1.3: at most 256 octets with the brackets.
  std::string local(64, 'a');
  std::string domain;
  for (int i = 0; i < 4; ++i) domain += std::string(60, 'd') + ".";
  domain += "com";
  EXPECT_EQ(parse_error("MAIL FROM:<" + local + "@" + domain + ">"), ReplyId::bad_sender_syntax);
  // Control characters never make it into an address.
  EXPECT_EQ(parse_error(std::string("RCPT TO:<bo\x01"
                                    "b@example.com>")),
            ReplyId::bad_recipient_syntax);
}

TEST(CommandParserTest, MailParameters) {
  auto c = parse_ok("MAIL FROM:<a@b.example> size=1000 BODY=8bitmime SMTPUTF8 AUTH=<>");
  EXPECT_EQ(c.size, 1000u);
  EXPECT_EQ(c.body, BodyType::eight_bit_mime);
  EXPECT_TRUE(c.smtputf8);
  EXPECT_EQ(parse_ok("MAIL FROM:<a@b.example> BODY=7BIT").body, BodyType::seven_bit);
  // An absurd SIZE saturates so that it is refused as too big, not as syntax.
  EXPECT_EQ(parse_ok("MAIL FROM:<a@b.example> SIZE=99999999999999999999").size, UINT64_MAX);
  EXPECT_EQ(parse_error("MAIL FROM:<a@b.example> SIZE=12k"), ReplyId::syntax_error);
  EXPECT_EQ(parse_error("MAIL FROM:<a@b.example> SIZE="), ReplyId::syntax_error);
  EXPECT_EQ(parse_error("MAIL FROM:<a@b.example> SIZE"), ReplyId::syntax_error);
  EXPECT_EQ(parse_error("MAIL FROM:<a@b.example> SIZE=1 SIZE=2"), ReplyId::syntax_error);
  EXPECT_EQ(parse_error("MAIL FROM:<a@b.example> BODY=BINARYMIME"), ReplyId::parameter_unsupported);
  EXPECT_EQ(parse_error("MAIL FROM:<a@b.example> SMTPUTF8=yes"), ReplyId::syntax_error);
  EXPECT_EQ(parse_error("MAIL FROM:<a@b.example> RET=FULL"), ReplyId::parameter_unsupported);
  EXPECT_EQ(parse_error("MAIL FROM:<a@b.example> =x"), ReplyId::syntax_error);
  EXPECT_EQ(parse_error("MAIL FROM:<a@b.example> X=a=b"), ReplyId::syntax_error);
}

TEST(CommandParserTest, RcptParameters) {
  EXPECT_EQ(parse_ok("RCPT TO:<c@d.example> ORCPT=rfc822;c@d.example").path, "c@d.example");
  EXPECT_EQ(parse_error("RCPT TO:<c@d.example> NOTIFY=NEVER"), ReplyId::parameter_unsupported);
}

TEST(CommandParserTest, Bdat) {
  auto c = parse_ok("BDAT 1024");
  EXPECT_EQ(c.verb, Verb::bdat);
  EXPECT_EQ(c.chunk_size, 1024u);
  EXPECT_FALSE(c.last);
  c = parse_ok("bdat 0 last");
  EXPECT_EQ(c.chunk_size, 0u);
  EXPECT_TRUE(c.last);
  EXPECT_EQ(parse_error("BDAT"), ReplyId::syntax_error);
  EXPECT_EQ(parse_error("BDAT -1"), ReplyId::syntax_error);
  EXPECT_EQ(parse_error("BDAT 12 FIRST"), ReplyId::syntax_error);
  EXPECT_EQ(parse_error("BDAT 12 LAST extra"), ReplyId::syntax_error);
  EXPECT_EQ(parse_error("BDAT 99999999999999999999999"), ReplyId::syntax_error);
  auto r = parse_command("BDAT x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().verb, Verb::bdat);
}

TEST(CommandParserTest, Auth) {
  auto c = parse_ok("auth plain AGFsaWNlAHNlY3JldA==");
  EXPECT_EQ(c.verb, Verb::auth);
  EXPECT_EQ(c.argument, "PLAIN");
  EXPECT_EQ(c.initial_response, "AGFsaWNlAHNlY3JldA==");
  EXPECT_FALSE(parse_ok("AUTH LOGIN").initial_response);
  EXPECT_EQ(parse_ok("AUTH PLAIN =").initial_response, "=");
  EXPECT_EQ(parse_error("AUTH"), ReplyId::syntax_error);
  EXPECT_EQ(parse_error("AUTH PLAIN a b"), ReplyId::syntax_error);
  EXPECT_TRUE(is_auth_line("auth plain xyz"));
  EXPECT_TRUE(is_auth_line("AUTH"));
  EXPECT_FALSE(is_auth_line("AUTHX"));
  EXPECT_FALSE(is_auth_line("MAIL FROM:<a@b.c>"));
}

TEST(CommandParserTest, VerbNames) {
  EXPECT_EQ(verb_name(Verb::mail), "MAIL");
  EXPECT_EQ(verb_name(Verb::starttls), "STARTTLS");
}

}  // namespace
}  // namespace postern::smtp
