// detail::to_utf8: charset conversion for headers and bodies.
#include "mime/detail/charset.h"

#include <gtest/gtest.h>

#include "core/utf8.h"

namespace postern::mime::detail {
namespace {

using namespace std::string_literals;

TEST(ToUtf8, ConvertsLabelledCharsets) {
  EXPECT_EQ(to_utf8("caf\xE9", "ISO-8859-1"), "caf\xC3\xA9");
  EXPECT_EQ(to_utf8("\x80", "windows-1252"), "\xE2\x82\xAC");
  EXPECT_EQ(to_utf8("\x82\xA0", "shift_jis"), "\xE3\x81\x82");  // あ
  EXPECT_EQ(to_utf8("plain ascii", "x-anything"), "plain ascii");
}

TEST(ToUtf8, Utf8LabelReplacesOnlyTheInvalidBytes) {
  EXPECT_EQ(to_utf8("ok \xC3\xA9 \xFF \xED\xA0\x80!", "UTF-8"),
            "ok \xC3\xA9 \xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD!");
}

TEST(ToUtf8, UnlabelledTextIsUtf8OrGuessedLatin1) {
  EXPECT_EQ(to_utf8("\xE6\x97\xA5", ""), "\xE6\x97\xA5");
  EXPECT_EQ(to_utf8("caf\xE9", ""), "caf\xC3\xA9");
  EXPECT_EQ(to_utf8("caf\xE9", "us-ascii"), "caf\xC3\xA9");
}

TEST(ToUtf8, UnknownOrBadLabelsFallBackAndKeepNulBytes) {
  EXPECT_EQ(to_utf8("caf\xE9", "x-no-such-charset"), "caf\xC3\xA9");
  EXPECT_EQ(to_utf8("a\xE9\0b\xE9"s, "bogus label!"), "a\xC3\xA9\0b\xC3\xA9"s);
}

TEST(ToUtf8, GMimesGuessIsAlwaysValidUtf8) {
  // Found by mime_fuzz: GMime handed these bytes back unchanged.
  std::string out = to_utf8("<roe.com>\xF6\xAB\x90\xBC b", "");
  EXPECT_TRUE(is_valid_utf8(out)) << out;
  EXPECT_TRUE(out.starts_with("<roe.com>")) << out;
}

TEST(ToUtf8, AHugeLabelDoesNotReachGMime) {
  // g_mime_charset_iconv_name copies the label onto the stack.
  std::string label(16 << 20, 'a');
  EXPECT_EQ(to_utf8("caf\xE9", label), "caf\xC3\xA9");
}

}  // namespace
}  // namespace postern::mime::detail
