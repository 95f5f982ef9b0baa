// An independent look at the sanitiser's output, for the unit tests and the
// fuzz target: its own reading of the tags (which the sanitiser writes in
// one regular form) and its own list of what must never be there.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace postern::mime::test {

// What in `html` (an output of sanitize_html) could run or load something
// it should not, one line each: an element outside the mail allow-list, a
// comment, an on* attribute, a URL attribute with another scheme than
// http(s):, mailto:, tel:, #, data:image/ or `cid_prefix` (where cid: was
// rewritten), CSS with expression/javascript:/@import/behavior/binding or a
// '<' inside <style>, anything not written as name="value". Empty when clean.
std::vector<std::string> executable_parts(std::string_view html,
                                          std::string_view cid_prefix = "/message/");

// `s` with &lt; &gt; &quot; &amp; decoded (what the sanitiser writes).
std::string decode_entities(std::string_view s);

// The text a reader sees: tags removed, &lt; &gt; &quot; &amp; decoded,
// <style> content left out.
std::string visible_text(std::string_view html);

}  // namespace postern::mime::test
