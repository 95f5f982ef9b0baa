// Helpers shared by the mime tests: sample messages, and an independent
// look at built bytes (lines, header fields, the MIME tree via GMime).
#pragma once

#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/message.h"
#include "mime/mime.h"

namespace postern::mime::test {

// 2025-07-01 09:05:03 UTC (a Tuesday).
SystemTime sample_date();
BuildOptions sample_options(std::string message_id = "0abc123@postern.test");

// From, To and Subject set; no body.
Message minimal_message();

// Lines of `raw` split on CRLF (the final empty piece dropped).
std::vector<std::string> crlf_lines(std::string_view raw);

// The header section (up to, not including, the first empty line).
std::string header_section(std::string_view raw);

// Field names of the top-level header, in order.
std::vector<std::string> header_names(std::string_view raw);

// Unfolded value of the first top-level field `name` (case-insensitive), or
// "<absent>".
std::string header_value(std::string_view raw, std::string_view name);

// True when every line break is CRLF (no bare CR, no bare LF).
bool only_crlf(std::string_view raw);

std::size_t longest_line(std::string_view raw);

// The MIME tree as GMime parses it, e.g.
// "multipart/mixed(multipart/alternative(text/plain,text/html),image/png)".
std::string mime_tree(std::string_view raw);

// RFC 2047 decoding by GMime, as an independent check of our encoder.
std::string gmime_decode_text(std::string_view text);

// Decoded content of the leaf parts of `raw`, depth-first, via GMime.
std::vector<std::string> gmime_leaf_contents(std::string_view raw);

// Every byte value, `copies` times over: a binary attachment.
std::string all_bytes(int copies);

// One to six random edits of `s`, as a mutating fuzzer makes them: a byte
// changed, inserted or erased, a stretch copied elsewhere, one of `tokens`
// (the syntax that matters to the parser under test) inserted, the tail cut.
std::string mutate(std::string s, std::mt19937_64& rng, std::span<const std::string_view> tokens);

}  // namespace postern::mime::test
