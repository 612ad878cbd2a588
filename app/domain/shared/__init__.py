"""Rules every workflow uses: working days and statutory holidays, ID card numbers,
phone numbers, receipt numbers, plain-field edits; a year's holidays entered as taps on a
calendar (``holiday_marks``) and the reporting periods of 镇里概况 (``report_periods``)."""
