# Reference values for hccsurv.core.cumulative_incidence (cmprsk::cuminc, no groups).
# Run from the repository root: Rscript validation/r/competing.R
library(cmprsk)
library(survival)
stopifnot(packageVersion("cmprsk") == "2.2.11")

# cuminc reports each jump twice (before, after) and appends the last follow-up time; keep the
# value after each jump at the cause's own event times.
after_jump <- function(curve, jump_times) {
  keep <- !duplicated(curve$time, fromLast = TRUE) & curve$time %in% jump_times
  list(time = curve$time[keep], est = curve$est[keep], var = curve$var[keep])
}
case <- function(time, status) {
  fit <- cuminc(time, status, cencode = 0)
  causes <- sub("^1 ", "", names(fit)[grepl("^1 ", names(fit))])
  curves <- lapply(causes, function(k) after_jump(fit[[paste("1", k)]], time[status == k]))
  names(curves) <- causes
  list(time = time, status = status, cuminc = curves)
}

d <- survival::mgus2
etime <- with(d, ifelse(pstat == 0, futime, ptime))
event <- with(d, ifelse(pstat == 0, 2 * death, 1))

set.seed(18)
n <- 300
st <- round(rexp(n, 0.1))  # integer times: many ties
ss <- sample(0:2, n, replace = TRUE, prob = c(0.3, 0.4, 0.3))
sg <- sample(c("a", "b", "c"), n, replace = TRUE)
sst <- sample(1:2, n, replace = TRUE)
# Gray's test statistics per cause (rows of $Tests), unstratified and stratified.
gray <- function(time, status, group, strata = NULL) {
  tests <- if (is.null(strata)) cuminc(time, status, group)$Tests
           else cuminc(time, status, group, strata)$Tests
  list(cause = rownames(tests), stat = unname(tests[, "stat"]), pv = unname(tests[, "pv"]),
       df = unname(tests[, "df"]))
}

out <- list(
  r_version = R.version.string,
  cmprsk_version = as.character(packageVersion("cmprsk")),
  mgus2 = case(etime, event),
  mgus2_female = case(etime[d$sex == "F"], event[d$sex == "F"]),
  mgus2_male = case(etime[d$sex == "M"], event[d$sex == "M"]),
  mgus2_sex = as.character(d$sex),
  mgus2_old = as.integer(d$age > 70),
  gray_mgus2_sex = gray(etime, event, d$sex),
  gray_mgus2_sex_strata = gray(etime, event, d$sex, d$age > 70),
  synthetic_group = sg,
  synthetic_strata = sst,
  gray_synthetic = gray(st + 1, ss, sg),
  gray_synthetic_strata = gray(st + 1, ss, sg, sst),
  synthetic_ties = case(st + 1, ss)
)
jsonlite::write_json(out, "tests/reference/competing.json", digits = NA, auto_unbox = TRUE)
