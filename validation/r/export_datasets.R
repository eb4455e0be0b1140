# Exports the R survival package's example datasets used by hccsurv's reference tests.
# Run from the repository root:  Rscript validation/r/export_datasets.R
# Writes tests/reference/data/{lung,veteran,ovarian,colon,pbc}.csv (NA written as empty cells).
suppressPackageStartupMessages(library(survival))
out <- file.path("tests", "reference", "data")
dir.create(out, recursive = TRUE, showWarnings = FALSE)
# survival 3.x keeps the classic data under these names; `cancer` holds lung and colon.
data(cancer, package = "survival")
write.csv(lung, file.path(out, "lung.csv"), row.names = FALSE, na = "")
write.csv(veteran, file.path(out, "veteran.csv"), row.names = FALSE, na = "")
write.csv(ovarian, file.path(out, "ovarian.csv"), row.names = FALSE, na = "")
write.csv(colon, file.path(out, "colon.csv"), row.names = FALSE, na = "")
write.csv(pbc, file.path(out, "pbc.csv"), row.names = FALSE, na = "")
cat(sprintf("R %s, survival %s\n", getRversion(), packageVersion("survival")))
