#include "providers/common/message_parts.h"

#include <gtest/gtest.h>

namespace postern::providers::common {
namespace {

TEST(MessageParts, RecipientsComeFromTheEnvelopeWithNamesFromTheMessage) {
  Message names;
  names.to = {{"Jürgen", "Juergen@Example.DE"}};
  names.cc = {{"Carla", "c@example.org"}};
  Envelope envelope{"s@example.com",
                    {{"Juergen@example.de", RecipientKind::to},
                     {"c@example.org", RecipientKind::cc},
                     {"hidden@example.com", RecipientKind::bcc},
                     {"Juergen@EXAMPLE.DE", RecipientKind::bcc}}};
  auto r = recipients_of(envelope, &names);
  ASSERT_EQ(r.to.size(), 1u);
  EXPECT_EQ(r.to[0].name, "Jürgen");
  EXPECT_EQ(r.to[0].address, "Juergen@example.de");
  ASSERT_EQ(r.cc.size(), 1u);
  EXPECT_EQ(r.cc[0].name, "Carla");
  ASSERT_EQ(r.bcc.size(), 1u);  // the duplicate (domain case differs) is dropped
  EXPECT_EQ(r.bcc[0].address, "hidden@example.com");
  EXPECT_EQ(recipients_of(envelope, nullptr).to[0].name, "");
}

TEST(MessageParts, JoinsMailboxesAndNamesAttachments) {
  EXPECT_EQ(join_mailboxes({{"A", "a@x.org"}, {"", "b@y.org"}, {"Doe, J", "j@z.org"}}),
            "A <a@x.org>, b@y.org, \"Doe, J\" <j@z.org>");
  EXPECT_EQ(attachment_name({"r.pdf", "application/pdf", "", "", false}, 0), "r.pdf");
  EXPECT_EQ(attachment_name({"", "application/pdf", "", "", false}, 2), "attachment-3");
}

TEST(MessageParts, StructuralHeadersAreRecognisedInAnyCase) {
  for (const char* h : {"From", "to", "CC", "Reply-To", "subject", "Content-Type", "DKIM-Signature",
                        "x-sg-id", "Message-ID", "MIME-Version", "Received"}) {
    EXPECT_TRUE(is_structural_header(h)) << h;
  }
  for (const char* h : {"X-Campaign", "List-Unsubscribe", "X-Postern-Id"})
    EXPECT_FALSE(is_structural_header(h)) << h;
}

TEST(MessageParts, UnreadableMessagesAreQuarantined) {
  auto r = unreadable_message(make_error_code(Errc::corrupt));
  EXPECT_EQ(r.failure_class, FailureClass::permanent);
  EXPECT_EQ(r.code, kCorruptMessageCode);
}

}  // namespace
}  // namespace postern::providers::common
