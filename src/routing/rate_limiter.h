// The provider's token bucket is the one in core (core/token_bucket.h),
// shared with the abuse limits; routing names it as it always did.
#pragma once

#include "core/token_bucket.h"

namespace postern::routing {

using TokenBucket = postern::TokenBucket;

}  // namespace postern::routing
