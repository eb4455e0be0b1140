# Reference values for hccsurv.core.group_tests and hccsurv.core.proportion.
# Run from the repository root:  Rscript validation/r/group_tests.R
# Writes tests/reference/group_tests.json (R 4.2.2, stats package).
# Live mode (tests/core/test_r_live_group_tests.py):  Rscript validation/r/group_tests.R in.json out.json
# where in.json holds {tables: [matrix rows], two: [{x, y}], k: [{groups}], binom: [{x, n}]}.
suppressPackageStartupMessages(library(jsonlite))
args <- commandArgs(trailingOnly = TRUE)
live <- length(args) == 2
lung <- if (live) NULL else read.csv(file.path("tests", "reference", "data", "lung.csv"))
colon <- if (live) NULL else read.csv(file.path("tests", "reference", "data", "colon.csv"))

htest <- function(h) {
  list(
    method = h$method,
    statistic = if (is.null(h$statistic)) NULL else unname(h$statistic),
    parameter = if (is.null(h$parameter)) list() else unname(as.list(h$parameter)),
    p_value = h$p.value,
    estimate = if (is.null(h$estimate)) NULL else unname(h$estimate),
    conf_int = if (is.null(h$conf.int)) NULL else
      lapply(unname(as.numeric(h$conf.int)), function(v) if (is.finite(v)) v else NULL)
  )
}
tab <- function(m) lapply(seq_len(nrow(m)), function(i) as.numeric(m[i, ]))

if (live) {
  spec <- fromJSON(args[1], simplifyVector = FALSE)
  as_matrix <- function(rows) do.call(rbind, lapply(rows, as.numeric))
  res <- list(
    tables = lapply(spec$tables, function(rows) {
      m <- as_matrix(rows)
      list(chisq = htest(suppressWarnings(chisq.test(m, correct = FALSE))),
           yates = htest(suppressWarnings(chisq.test(m, correct = TRUE))),
           fisher = htest(fisher.test(m, workspace = 2e7)))
    }),
    two = lapply(spec$two, function(s) {
      x <- as.numeric(s$x); y <- as.numeric(s$y)
      list(student = htest(t.test(x, y, var.equal = TRUE)),
           welch = htest(t.test(x, y)),
           wilcox = htest(suppressWarnings(wilcox.test(x, y))))
    }),
    k = lapply(spec$k, function(s) {
      g <- lapply(s$groups, as.numeric)
      v <- unlist(g); f <- factor(rep(seq_along(g), lengths(g)))
      list(anova = htest(oneway.test(v ~ f, var.equal = TRUE)), kruskal = htest(kruskal.test(v, f)))
    }),
    binom = lapply(spec$binom, function(s) as.numeric(binom.test(s$x, s$n)$conf.int))
  )
  write_json(res, args[2], digits = NA, auto_unbox = TRUE, null = "null")
  quit(save = "no")
}

tables <- list(
  paper_dcr = matrix(c(39, 27, 29, 5), 2),           # rows DC yes/no, cols first-line/post
  paper_orr = matrix(c(12, 54, 12, 22), 2),
  small_2x2 = matrix(c(3, 9, 7, 2), 2),
  zero_2x2 = matrix(c(0, 8, 5, 4), 2),
  full_2x2 = matrix(c(7, 0, 3, 9), 2),
  lung_sex_ecog = unclass(table(lung$sex, lung$ph.ecog)),
  colon_sex_differ = unclass(table(colon$sex[colon$etype == 1], colon$differ[colon$etype == 1])),
  sparse_2x3 = matrix(c(4, 0, 1, 5, 3, 2), 2),
  sparse_2x4 = matrix(c(3, 0, 2, 4, 1, 5, 0, 3), 2),
  sparse_3x3 = matrix(c(2, 0, 1, 1, 4, 1, 3, 1, 0), 3),
  sparse_3x4 = matrix(c(2, 0, 1, 1, 4, 1, 3, 1, 0, 0, 2, 5), 3),
  mid_2x6 = matrix(c(10, 4, 8, 9, 5, 12, 7, 7, 3, 11, 6, 2), 2)
)
contingency <- lapply(names(tables), function(nm) {
  m <- tables[[nm]]
  storage.mode(m) <- "double"
  out <- list(name = nm, table = tab(m))
  out$chisq_uncorrected <- htest(suppressWarnings(chisq.test(m, correct = FALSE)))
  out$chisq_expected <- tab(suppressWarnings(chisq.test(m, correct = FALSE))$expected)
  out$chisq_corrected <- htest(suppressWarnings(chisq.test(m, correct = TRUE)))
  out$fisher <- htest(fisher.test(m))
  out
})

two <- function(name, x, y) {
  list(
    name = name, x = x, y = y,
    student = htest(t.test(x, y, var.equal = TRUE)),
    welch = htest(t.test(x, y, var.equal = FALSE)),
    wilcox = htest(suppressWarnings(wilcox.test(x, y))),
    wilcox_uncorrected = htest(suppressWarnings(wilcox.test(x, y, correct = FALSE)))
  )
}
lung_age <- split(lung$age, lung$sex)
colon1 <- colon[colon$etype == 1 & !is.na(colon$nodes), ]
two_sample <- list(
  two("lung_age_by_sex", lung_age[["1"]], lung_age[["2"]]),
  two("colon_nodes_by_sex", colon1$nodes[colon1$sex == 1], colon1$nodes[colon1$sex == 0]),
  two("exact_small", c(1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30),
      c(0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29 + 0.001)),
  two("exact_upper", c(5.1, 6.3, 7.7, 8.2, 9.9, 6.6), c(1.2, 3.4, 2.2, 5.5, 4.1)),
  two("paper_age_like", c(70.1, 55.3, 64.2, 80.4, 61.7, 72.9, 66.0, 59.8),
      c(48.2, 66.7, 58.1, 71.3, 52.6, 60.2))
)

several <- function(name, values, group) {
  ok <- !is.na(values) & !is.na(group)
  values <- values[ok]; group <- group[ok]
  groups <- lapply(split(values, group), as.numeric)
  list(
    name = name, groups = unname(groups),
    anova = htest(oneway.test(values ~ factor(group), var.equal = TRUE)),
    kruskal = htest(kruskal.test(values, factor(group)))
  )
}
k_sample <- list(
  several("lung_age_by_ecog", lung$age, ifelse(lung$ph.ecog >= 2, 2, lung$ph.ecog)),
  several("lung_wtloss_by_ecog", lung$wt.loss, ifelse(lung$ph.ecog >= 2, 2, lung$ph.ecog)),
  several("colon_age_by_rx", colon1$age, colon1$rx)
)

props <- list(c(12, 66), c(12, 34), c(39, 66), c(29, 34), c(0, 10), c(10, 10), c(1, 1), c(5, 500))
binom <- lapply(props, function(v) {
  h <- binom.test(v[1], v[2])
  list(x = v[1], n = v[2], conf_int = as.numeric(h$conf.int),
       conf_int_90 = as.numeric(binom.test(v[1], v[2], conf.level = 0.9)$conf.int))
})

out <- list(
  r_version = as.character(getRversion()),
  contingency = contingency, two_sample = two_sample, k_sample = k_sample, binom = binom
)
write_json(out, file.path("tests", "reference", "group_tests.json"), digits = NA, auto_unbox = TRUE,
           null = "null", pretty = TRUE)
cat("wrote tests/reference/group_tests.json\n")
