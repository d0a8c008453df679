// The pipe module's error texts, worded as app/modules/pipe.c words them, in one place.
#pragma once

namespace nodemcu_emu::modules::pipe::errors {

constexpr const char* k_pipe_table = "pipe table";  // checkPipeTable's luaL_argerror
constexpr const char* k_invalid_chunk_size = "invalid chunk size";
constexpr const char* k_invalid_delimiter = "invalid delimiter";
constexpr const char* k_must_be_a_string = "must be a string";
constexpr const char* k_invalid_priority = "invalid priority";

}  // namespace nodemcu_emu::modules::pipe::errors
