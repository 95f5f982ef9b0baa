// Which of a message's recipients a provider's report is about, shared by
// both backends' event writers.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/ascii.h"
#include "store/codec.h"

namespace postern::store {

// The envelope's spelling of the address a provider reports, from the
// message's recipients column (codec.h): the same bytes, else the same in
// any ASCII case (some providers lower-case whole addresses), else as
// reported. The state and the suppression then key on what the sender
// wrote, which the next send is checked by.
inline std::string envelope_address(std::string_view recipients, const std::string& reported) {
  std::optional<std::string> folded;
  for (const auto& r : split_recipients(recipients)) {
    if (r.address == reported) return r.address;
    if (!folded && ascii_iequals(r.address, reported)) folded = r.address;
  }
  return folded.value_or(reported);
}

}  // namespace postern::store
