# Log-rank tests on R's own datasets with their documented coding, for the `hccsurv init` tests:
# where init guesses the group and the status coding, decoding the status with the guess must give
# R's survdiff; `hccsurv init FILE` + `hccsurv run` (tests/report/test_init_run_datasets.py) must
# give the same p-values. Data: tests/reference/data/*.csv (validation/r/export_datasets.R).
# Run from the repository root:  Rscript validation/r/init_datasets.R
#   -> tests/reference/init_datasets.json
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})
dir <- file.path("tests", "reference", "data")
read <- function(name) read.csv(file.path(dir, paste0(name, ".csv")))
test <- function(f, d) {
  x <- survdiff(f, data = d)
  list(chisq = x$chisq, p = pchisq(x$chisq, length(x$n) - 1, lower.tail = FALSE),
       n = sum(x$n), events = sum(x$obs))
}
pbc <- read("pbc")
veteran <- read("veteran")
lung <- read("lung")
colon <- read("colon")
mgus2 <- read("mgus2")
ref <- list(
  pbc = test(Surv(time, status == 2) ~ trt, pbc),             # 2 = death; 1 = transplant
  veteran = test(Surv(time, status) ~ trt, veteran),
  lung = test(Surv(time, status) ~ sex, lung),                 # Surv: 1 = censored, 2 = dead
  colon = test(Surv(time, status) ~ rx, colon[colon$etype == 2, ]),   # etype 2 = death
  colon_recurrence = test(Surv(time, status) ~ rx, colon[colon$etype == 1, ]),
  mgus2_os = test(Surv(futime, death) ~ sex, mgus2),
  mgus2_pstat = test(Surv(ptime, pstat) ~ sex, mgus2),
  versions = list(R = as.character(getRversion()),
                  survival = as.character(packageVersion("survival")))
)
write_json(ref, file.path("tests", "reference", "init_datasets.json"), digits = NA,
           auto_unbox = TRUE, pretty = TRUE)
