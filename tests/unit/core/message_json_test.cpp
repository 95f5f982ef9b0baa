#include "core/message_json.h"

#include <gtest/gtest.h>

namespace postern {
namespace {

const MessageLimits kLimits;

FieldError error_of(const std::string& json, const MessageLimits& limits = kLimits) {
  auto r = message_from_json(json, limits);
  EXPECT_FALSE(r) << json;
  return r ? FieldError{} : r.error();
}

TEST(MessageJson, ParsesAFullMessage) {
  auto r = message_from_json(R"({
    "from": {"email": "app@example.com", "name": "App"},
    "to": ["a@example.com", {"email": "b@example.com", "name": "Bé"}],
    "cc": "c@example.com, \"D, E\" <d@example.com>",
    "bcc": [], "reply_to": "support@example.com",
    "subject": "Héllo", "text": "plain", "html": "<p>html</p>",
    "headers": {"X-Campaign": "42", "List-Unsubscribe": "<mailto:u@example.com>"},
    "attachments": [{"filename": "a.txt", "content": "aGVsbG8=", "content_type": "text/plain"},
                    {"filename": "i.png", "content": "AAEC", "disposition": "inline", "content_id": "img1"}],
    "tags": ["welcome"], "metadata": {"user": "7"}
  })",
                             kLimits);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->from.name, "App");
  EXPECT_EQ(r->to.size(), 2u);
  EXPECT_EQ(r->to[1].name, "Bé");
  EXPECT_EQ(r->cc.size(), 2u);
  EXPECT_EQ(r->cc[1].name, "D, E");
  EXPECT_EQ(r->reply_to[0].address, "support@example.com");
  EXPECT_EQ(r->attachments[0].content, "hello");
  EXPECT_TRUE(r->attachments[1].is_inline);
  EXPECT_EQ(r->attachments[1].content, std::string("\x00\x01\x02", 3));
  EXPECT_EQ(r->headers.size(), 2u);
  EXPECT_EQ(r->metadata[0].second, "7");
}

TEST(MessageJson, RoundTripsThroughCanonicalJson) {
  auto first = message_from_json(
      R"({"from":"A <a@x.org>","to":"b@x.org","subject":"s","text":"t","tags":["x"],)"
      R"("attachments":[{"filename":"f","content":"AAEC"}],"metadata":{"k":"v"}})",
      kLimits);
  ASSERT_TRUE(first);
  auto second = message_from_json(message_to_json(*first), kLimits);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(*first, *second);
}

TEST(MessageJson, ErrorsNameTheField) {
  struct Case {
    const char* json;
    const char* code;
    const char* field;
  };
  const Case cases[] = {
      {"not json", "invalid_json", ""},
      {"[]", "invalid_json", ""},
      {R"({"to":"b@x.org","text":"t"})", "missing_field", "from"},
      {R"({"from":"a@x.org","text":"t"})", "missing_field", "to"},
      {R"({"from":"a@x.org","to":"b@x.org"})", "missing_field", "text"},
      {R"({"from":"nope","to":"b@x.org","text":"t"})", "invalid_address", "from"},
      {R"({"from":"a@x.org","to":["b@x.org","bad@"],"text":"t"})", "invalid_address", "to[1]"},
      {R"({"from":"a@x.org","to":[{"name":"n"}],"text":"t"})", "missing_field", "to[0].email"},
      {R"({"from":"a@x.org","to":"b@x.org","text":5})", "invalid_type", "text"},
      {R"({"from":"a@x.org","to":"b@x.org","text":"t","subjct":"x"})", "unknown_field", "subjct"},
      {R"({"from":"a@x.org","to":"b@x.org","text":"t","subject":"a\r\nBcc: evil@x.org"})",
       "invalid_value", "subject"},
      {R"({"from":"a@x.org","to":"b@x.org","text":"t","headers":{"Bcc":"x@y.z"}})",
       "invalid_header", "headers.Bcc"},
      {R"({"from":"a@x.org","to":"b@x.org","text":"t","headers":{"X-A":"1\r\nBcc: x@y.z"}})",
       "invalid_header", "headers.X-A"},
      {R"({"from":"a@x.org","to":"b@x.org","text":"t","headers":{"X A":"1"}})", "invalid_header",
       "headers.X A"},
      {R"({"from":"a@x.org","to":"b@x.org","text":"t","attachments":[{"filename":"f","content":"!!"}]})",
       "invalid_base64", "attachments[0].content"},
      {R"({"from":"a@x.org","to":"b@x.org","text":"t","attachments":[{"content":"AAEC"}]})",
       "missing_field", "attachments[0].filename"},
      {R"({"from":"a@x.org","to":"b@x.org","text":"t","attachments":[{"filename":"f","content":"AA==","disposition":"x"}]})",
       "invalid_value", "attachments[0].disposition"},
      {R"({"from":"a@x.org","to":"b@x.org","text":"t","tags":["a",""]})", "invalid_value",
       "tags[1]"},
      {R"({"from":"a@x.org","to":"b@x.org","text":"t","metadata":{"k":1}})", "invalid_type",
       "metadata.k"},
  };
  for (const auto& c : cases) {
    auto e = error_of(c.json);
    EXPECT_EQ(e.code, c.code) << c.json << " -> " << e.message;
    EXPECT_EQ(e.field, c.field) << c.json << " -> " << e.message;
    EXPECT_FALSE(e.message.empty());
  }
}

TEST(MessageJson, EnforcesLimits) {
  MessageLimits limits;
  limits.max_recipients = 2;
  limits.max_message_bytes = 10;
  limits.max_tags = 1;
  EXPECT_EQ(
      error_of(R"({"from":"a@x.org","to":"b@x.org,c@x.org,d@x.org","text":"t"})", limits).code,
      "too_many_recipients");
  EXPECT_EQ(error_of(R"({"from":"a@x.org","to":"b@x.org","text":"01234567890"})", limits).code,
            "message_too_large");
  EXPECT_EQ(
      error_of(R"({"from":"a@x.org","to":"b@x.org","text":"t","tags":["a","b"]})", limits).code,
      "too_many_tags");
}

TEST(MessageJson, EnvelopeDeduplicatesRecipients) {
  auto r = message_from_json(
      R"({"from":"a@x.org","to":"b@x.org","cc":"B@X.ORG, c@x.org","bcc":"b@X.org","text":"t"})",
      kLimits);
  ASSERT_TRUE(r);
  auto env = envelope_of(*r);
  EXPECT_EQ(env.sender, "a@x.org");
  ASSERT_EQ(env.recipients.size(), 3u);  // B@X.ORG differs in its local part
  EXPECT_EQ(env.recipients[0].address, "b@x.org");
  EXPECT_EQ(env.recipients[1].address, "B@X.ORG");
  EXPECT_EQ(env.recipients[2].kind, RecipientKind::cc);
}

}  // namespace
}  // namespace postern
