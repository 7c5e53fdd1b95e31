// doctest entry point for every test binary.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <csignal>

int main(int argc, char** argv) {
  // As kongd does: a peer closing while a test writes to it is that connection's error, not
  // the end of the test run (libuv writes with plain writev, which raises SIGPIPE).
  std::signal(SIGPIPE, SIG_IGN);
  doctest::Context context(argc, argv);
  return context.run();
}
