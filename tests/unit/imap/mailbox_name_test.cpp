// Modified UTF-7 mailbox names (RFC 3501 §5.1.3) both ways.
#include "imap/mailbox_name.h"

#include <gtest/gtest.h>

namespace postern::imap {
namespace {

TEST(ImapMailboxNameTest, EncodesAndDecodes) {
  struct Case {
    std::string_view utf8;
    std::string_view wire;
  };
  const Case cases[] = {
      {"INBOX", "INBOX"},
      {"", ""},
      {"Sent Items", "Sent Items"},
      {"Entw\xc3\xbcrfe", "Entw&APw-rfe"},
      {"A & B", "A &- B"},
      {"&", "&-"},
      // RFC 3501 §5.1.3's own example.
      {"~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
       "~peter/mail/&U,BTFw-/&ZeVnLIqe-"},
      {"\xe2\x98\xba", "&Jjo-"},
      {"\xf0\x9f\x93\xac Mail", "&2D3c7A- Mail"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(encode_mailbox_name(c.utf8), c.wire) << c.wire;
    EXPECT_EQ(decode_mailbox_name(c.wire), c.utf8) << c.wire;
  }
}

TEST(ImapMailboxNameTest, RefusesWhatRfc3501Forbids) {
  for (std::string_view bad : {
           "Entw\xc3\xbcrfe",  // raw 8-bit
           "&AGE-",            // "a", which stands for itself
           "&APw",             // unterminated shift
           "&APw-&APw-",       // two shifts in a row: "&APwA,A-"
           "&APx-",            // padding bits set
           "&-&",              // a lone '&' at the end
           "&Jjo!",            // a character outside base64
           "a\tb",             // a control character
           "&AAA-",            // NUL, encoded
       }) {
    EXPECT_FALSE(decode_mailbox_name(bad)) << bad;
  }
  EXPECT_FALSE(encode_mailbox_name("\xc3"));
}

}  // namespace
}  // namespace postern::imap
