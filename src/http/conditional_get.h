// Conditional GET (RFC 9110 §13.1.2, §13.1.3, §13.2.2) for the files the
// gateway serves itself (the web UI, docs/ui.md): whether a cache's copy
// is still current, so the answer is a 304 without the body. Sans-io; the
// headers are outside input.
#pragma once

#include <optional>
#include <string_view>

#include "core/clock.h"

namespace postern::http {

// Whether the If-None-Match value `list` ("*", or entity tags such as
// "\"a1\", W/\"b2\"") names `etag` (an entity tag with its quotes), by
// weak comparison (a W/ prefix on either side is ignored), as §13.1.2
// asks for GET. A list that does not parse from some point on counts up
// to there.
bool etag_list_matches(std::string_view list, std::string_view etag);

// The validators of the representation a GET would get, and the request's
// conditions (nullopt: header absent). True when the answer is 304: the
// request's If-None-Match names the entity tag, or, only when it sends no
// If-None-Match, its If-Modified-Since (an HTTP date) is no earlier than
// `modified` (whole seconds). An If-Modified-Since that is not a date is
// ignored, as §13.1.3 says.
bool not_modified(std::optional<std::string_view> if_none_match,
                  std::optional<std::string_view> if_modified_since, std::string_view etag,
                  SystemTime modified);

}  // namespace postern::http
