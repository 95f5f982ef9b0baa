#include "providers/smtp/smtp_reply.h"

#include <gtest/gtest.h>

namespace postern::providers::smtp {
namespace {

TEST(ReplyParser, AssemblesMultiLineReplies) {
  ReplyParser p;
  EXPECT_FALSE(p.feed("250-relay.test Hello"));
  EXPECT_FALSE(p.feed("250-PIPELINING"));
  auto reply = p.feed("250 SIZE 1000");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->code, 250);
  EXPECT_EQ(reply->lines,
            (std::vector<std::string>{"relay.test Hello", "PIPELINING", "SIZE 1000"}));
  EXPECT_FALSE(p.error());
  // The parser is ready for the next reply.
  auto next = p.feed("221 bye");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->code, 221);
}

TEST(ReplyParser, SummaryIsUtf8WhateverTheRelaySent) {
  ReplyParser p;
  EXPECT_FALSE(p.feed("550-5.1.1 Destinataire inconnu: caf\xE9"));
  auto reply = p.feed("550 5.1.1 \xC3\xA9t\xC3\xA9 ok");
  ASSERT_TRUE(reply);
  // Latin-1 becomes U+FFFD; UTF-8 is kept.
  EXPECT_EQ(reply->summary(),
            "550 5.1.1 Destinataire inconnu: caf\xEF\xBF\xBD; 5.1.1 \xC3\xA9t\xC3\xA9 ok");
}

TEST(ReplyParser, ReadsEnhancedCodes) {
  ReplyParser p;
  auto r = p.feed("550 5.1.1 <nobody@example.com>: Recipient address rejected");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->enhanced, "5.1.1");
  EXPECT_EQ(r->code_text(), "550 5.1.1");
  EXPECT_EQ(p.feed("250 Ok")->enhanced, "");
  EXPECT_EQ(p.feed("451 4.7.1 Greylisted")->enhanced, "4.7.1");
  EXPECT_EQ(p.feed("250 2.0.0")->enhanced, "2.0.0");
  EXPECT_EQ(p.feed("354")->code, 354);
  EXPECT_EQ(p.feed("552 5.3.4 too big")->summary(), "552 5.3.4 too big");
}

TEST(ReplyParser, RefusesMalformedLines) {
  for (const char* bad : {"hello", "25", "2500 x", "099 x", "250_x"}) {
    ReplyParser p;
    EXPECT_FALSE(p.feed(bad)) << bad;
    EXPECT_TRUE(p.error()) << bad;
  }
  ReplyParser mixed;
  EXPECT_FALSE(mixed.feed("250-a"));
  EXPECT_FALSE(mixed.feed("550 b"));
  EXPECT_TRUE(mixed.error());
}

TEST(Capabilities, ReadsEhloKeywords) {
  ReplyParser p;
  p.feed("250-relay.test");
  p.feed("250-pipelining");
  p.feed("250-SIZE 35882577");
  p.feed("250-8BITMIME");
  p.feed("250-STARTTLS");
  p.feed("250-AUTH LOGIN PLAIN XOAUTH2");
  p.feed("250-SMTPUTF8");
  auto caps = parse_capabilities(*p.feed("250 ENHANCEDSTATUSCODES"));
  EXPECT_TRUE(caps.esmtp);
  EXPECT_TRUE(caps.pipelining);
  EXPECT_TRUE(caps.size_offered);
  EXPECT_EQ(caps.size_limit, 35882577u);
  EXPECT_TRUE(caps.eight_bit_mime);
  EXPECT_TRUE(caps.starttls);
  EXPECT_TRUE(caps.auth_plain);
  EXPECT_TRUE(caps.auth_login);
  EXPECT_TRUE(caps.smtputf8);

  ReplyParser q;
  auto bare =
      parse_capabilities(*q.feed("250 relay.test STARTTLS"));  // the greeting line is not a keyword
  EXPECT_FALSE(bare.starttls);
  EXPECT_FALSE(bare.size_offered);
  ReplyParser r;
  r.feed("250-relay.test");
  auto unlimited = parse_capabilities(*r.feed("250 SIZE"));
  EXPECT_TRUE(unlimited.size_offered);
  EXPECT_EQ(unlimited.size_limit, 0u);
}

}  // namespace
}  // namespace postern::providers::smtp
