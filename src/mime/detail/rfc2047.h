// RFC 2047 encoded-words: encoding of non-ASCII header text for
// build_message, and decoding of unstructured header text to UTF-8.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace postern::mime::detail {

// Encodes UTF-8 `text` as encoded-words "=?utf-8?Q?...?=" separated by single
// spaces (fold points). Each word is at most 75 characters (§2), the first
// at most `first_limit` (room left on the field's first line; never below
// what one character needs), and holds whole UTF-8 characters (§5 rule 3). Only the characters §5
// rule 3 allows in a phrase are left literal, so the result is valid in Subject and in display
// names alike. Q rather than B: GMime 3.2 loses the text after a padded B word that another B word
// follows, and Q needs no padding.
std::string encode_words(std::string_view text, std::size_t first_limit = 75);

// True when unstructured `text` cannot be written as it is: it holds bytes
// outside printable US-ASCII (other than HTAB), contains "=?" (it would be
// decoded), or has a run without whitespace longer than `max_word` octets
// (no fold point would keep the line under 998 octets).
bool needs_encoding(std::string_view text, std::size_t max_word);

// Decodes unstructured header text (RFC 2047 §6.2) to UTF-8: encoded-words
// are decoded and the whitespace between two adjacent ones dropped; raw 8-bit
// text is taken as UTF-8 (RFC 6532) or guessed; runs of encoded-words with
// the same charset are joined before conversion (some mailers split
// characters across words). Control characters other than HTAB become
// spaces, so a decoded value can never carry a line break into another
// header.
std::string decode_text(std::string_view text);

}  // namespace postern::mime::detail
