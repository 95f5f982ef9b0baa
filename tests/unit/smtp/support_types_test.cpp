// The small sans-io pieces of the SMTP server: SASL decoding, trusted
// networks, reply formatting and the Received header.
#include <gtest/gtest.h>

#include "core/base64.h"
#include "net/network_list.h"
#include "smtp/message_builder.h"
#include "smtp/replies.h"
#include "smtp/sasl.h"

namespace postern::smtp {
namespace {

using Kind = SaslExchange::Step::Kind;
using net::NetworkList;

TEST(SaslTest, PlainWithAuthorizationIdentityOfItself) {
  SaslExchange sasl;
  auto step =
      sasl.start(SaslExchange::Mechanism::plain, base64_encode(std::string("me\0me\0pw", 8)));
  EXPECT_EQ(step.kind, Kind::credentials);
  EXPECT_EQ(sasl.credentials().user, "me");
  EXPECT_EQ(sasl.credentials().password, "pw");
}

TEST(SaslTest, PlainRejectsMalformedMessages) {
  SaslExchange sasl;
  for (std::string bad :
       {std::string("\0\0pw", 4), std::string("a\0b\0c\0d", 7), std::string("nonul")}) {
    EXPECT_EQ(sasl.start(SaslExchange::Mechanism::plain, base64_encode(bad)).kind, Kind::malformed);
  }
  EXPECT_EQ(sasl.start(SaslExchange::Mechanism::plain, std::string("AA AA")).kind,
            Kind::bad_encoding);
  EXPECT_EQ(sasl.start(SaslExchange::Mechanism::plain, std::string("*")).kind, Kind::cancelled);
}

TEST(SaslTest, MechanismNames) {
  EXPECT_EQ(SaslExchange::mechanism("PLAIN"), SaslExchange::Mechanism::plain);
  EXPECT_EQ(SaslExchange::mechanism("LOGIN"), SaslExchange::Mechanism::login);
  EXPECT_FALSE(SaslExchange::mechanism("XOAUTH2"));
}

TEST(NetworkListTest, MatchesIpv4AndIpv6) {
  auto list =
      NetworkList::parse({"127.0.0.0/8", "10.1.2.3/16", "::1/128", "2001:db8::/32", "192.0.2.9"});
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_TRUE(list->contains("127.0.0.1"));
  EXPECT_TRUE(list->contains("127.255.255.255"));
  EXPECT_FALSE(list->contains("128.0.0.1"));
  EXPECT_TRUE(list->contains("10.1.200.1"));  // host bits of the network are ignored
  EXPECT_FALSE(list->contains("10.2.0.1"));
  EXPECT_TRUE(list->contains("::1"));
  EXPECT_FALSE(list->contains("::2"));
  EXPECT_TRUE(list->contains("2001:db8:ffff::1"));
  EXPECT_FALSE(list->contains("2001:db9::1"));
  EXPECT_TRUE(list->contains("192.0.2.9"));
  EXPECT_FALSE(list->contains("192.0.2.10"));
  EXPECT_TRUE(list->contains("::ffff:127.0.0.1"));  // a dual-stack listener's view
  EXPECT_FALSE(list->contains("not an address"));
}

TEST(NetworkListTest, OddPrefixesAndErrors) {
  auto list = NetworkList::parse({"192.168.0.0/23", "0.0.0.0/0"});
  ASSERT_TRUE(list);
  EXPECT_TRUE(list->contains("8.8.8.8"));
  EXPECT_FALSE(list->contains("::1"));  // an IPv4 "everything" is not IPv6
  auto narrow = NetworkList::parse({"192.168.0.0/23"});
  EXPECT_TRUE(narrow->contains("192.168.1.200"));
  EXPECT_FALSE(narrow->contains("192.168.2.1"));
  EXPECT_TRUE(NetworkList::parse({}));
  EXPECT_FALSE(NetworkList::parse({}).value().contains("127.0.0.1"));
  for (std::string bad :
       {"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0/8", "host.example", "10.0.0.0/8x"}) {
    EXPECT_FALSE(NetworkList::parse({bad})) << bad;
  }
}

TEST(RepliesTest, Formatting) {
  EXPECT_EQ(format_reply(ReplyId::ok), "250 2.0.0 Ok\r\n");
  EXPECT_EQ(format_reply(ReplyId::message_too_big, "Too big"), "552 5.3.4 Too big\r\n");
  EXPECT_EQ(format_reply(ReplyId::greeting, "mx ESMTP"), "220 mx ESMTP\r\n");
  EXPECT_EQ(format_reply(ReplyId::auth_challenge), "334 \r\n");
  EXPECT_EQ(format_multiline(ReplyId::ehlo, {"a", "b", "c"}), "250-a\r\n250-b\r\n250 c\r\n");
  // Every 2xx/4xx/5xx reply outside RFC 2034's exceptions has an enhanced code
  // of its own class.
  for (std::size_t i = 0; i < kReplies.size(); ++i) {
    const auto& spec = kReplies[i];
    auto id = static_cast<ReplyId>(i);
    bool exempt = id == ReplyId::greeting || id == ReplyId::ehlo || id == ReplyId::helo ||
                  spec.code / 100 == 3;
    if (exempt) continue;
    ASSERT_FALSE(spec.enhanced.empty()) << spec.code << " " << spec.text;
    EXPECT_EQ(spec.enhanced.front() - '0', spec.code / 100) << spec.code << " " << spec.enhanced;
  }
}

TEST(ReceivedHeaderTest, FormatAndSanitizing) {
  ReceivedInfo info;
  info.helo_name = "bad(name)\x01";
  info.peer_address = "2001:db8::1";
  info.hostname = "mx.test";
  info.tls = true;
  info.authenticated = true;
  info.tls_description = "TLSv1.3 with cipher X";
  auto h = received_header(info, {"b@y.example"}, from_unix_ms(1'700'000'000'000));
  EXPECT_EQ(
      h,
      "Received: from bad_name__ ([IPv6:2001:db8::1])\r\n\tby mx.test (Postern) with ESMTPSA\r\n"
      "\t(using TLSv1.3 with cipher X)\r\n\tfor <b@y.example>;\r\n\tTue, 14 Nov 2023 22:13:20 "
      "+0000\r\n");
  info.esmtp = false;
  info.tls = false;
  info.authenticated = false;
  info.peer_address = "192.0.2.1";
  h = received_header(info, {"a@y.example", "b@y.example"}, from_unix_ms(0));
  EXPECT_EQ(h,
            "Received: from bad_name__ ([192.0.2.1])\r\n\tby mx.test (Postern) with SMTP;\r\n"
            "\tThu, 01 Jan 1970 00:00:00 +0000\r\n");
}

TEST(MessageBuilderTest, StripsBccAndPrependsReceived) {
  ReceivedInfo info;
  info.helo_name = "c";
  info.peer_address = "127.0.0.1";
  info.hostname = "mx.test";
  std::string data = "From: a@x.example\r\nBcc: secret@y.example\r\nSubject: S\r\n\r\nbody\r\n";
  auto m = build_new_message(data, {"a@x.example", {"secret@y.example", "other@y.example"}, "key1"},
                             info, from_unix_ms(0));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->content.find("secret"), std::string::npos);
  EXPECT_TRUE(m->content.starts_with("Received: from c ([127.0.0.1])"));
  EXPECT_TRUE(m->content.ends_with("From: a@x.example\r\nSubject: S\r\n\r\nbody\r\n"));
  EXPECT_EQ(m->envelope.recipients.at(0).address, "secret@y.example");
  EXPECT_EQ(m->envelope.recipients.at(0).kind, RecipientKind::bcc);
  EXPECT_EQ(m->submitted_by, "key1");
  EXPECT_EQ(m->subject, "S");
  EXPECT_FALSE(build_new_message("no header here\r\n", {"a@x.example", {"b@y.example"}, ""}, info,
                                 from_unix_ms(0)));
}

}  // namespace
}  // namespace postern::smtp
