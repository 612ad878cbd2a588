"""Rules every workflow uses: working days and statutory holidays, ID card numbers,
phone numbers, receipt numbers, plain-field edits."""
