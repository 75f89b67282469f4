# cmake -DIN=file -DOUT=file.cpp -DSYMBOL=kName -DNAMESPACE=ns -P EmbedText.cmake
# Writes `namespace ns { extern const char kName[] = "..."; }` holding IN's bytes.
file(READ ${IN} content HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "\\\\x\\1" escaped "${content}")
file(WRITE ${OUT} "namespace ${NAMESPACE} {\nextern const char ${SYMBOL}[] = \"${escaped}\";\n}\n")
