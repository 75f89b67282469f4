// The format of tests/moderation/<rule>.tsv, shared by the test driver and the engine benchmark:
// `text<TAB>expected rules<TAB>expected action`, where "\n" and "\t" in the text stand for newline and tab
// (the escape is the product's: `tribune model train` reads the same tables).
#pragma once

#include "moderation/learned/table_text.hpp"

namespace tribune::testing {

using moderation::learned::UnescapeTableText;

}  // namespace tribune::testing
