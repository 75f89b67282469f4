#include "app/app.hpp"

int main(int argc, char** argv) { return tribune::app::Main(argc, argv); }
