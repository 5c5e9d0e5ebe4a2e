"""Transcripts as researchers have them: Word (.docx), OpenDocument text (.odt), plain text (.txt,
.md) and meeting captions (.vtt, .srt), each imported as one document with its speaker turns.

Reading a file (`read`) writes nothing; `imports.import_transcript` hands what was read to the
service, which stores the document and its turns in one unit of work. The README's "Importing
transcripts" says exactly what a file's text is, format by format, and how turns are found."""
