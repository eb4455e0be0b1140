# Reference Fisher p-values of the adverse-event table (hccsurv.analysis.safety).
# Run from the repository root:  Rscript validation/r/safety.R
# Reads tests/reference/data/safety_arms.csv (patient, arm: the safety population) and
# tests/reference/data/safety_grades.csv (patient, date, term, CTCAE grade of each on-treatment
# value; empty = not graded); writes tests/reference/safety.json (R 4.2.2, stats package).
# Per term: worst grade per patient; patients with any grade (>= 1) and with grade >= 3 per arm
# over the arm's patients; fisher.test on the 2 x 2 table with / without by arm.
suppressPackageStartupMessages(library(jsonlite))
arms <- read.csv(file.path("tests", "reference", "data", "safety_arms.csv"))
grades <- read.csv(file.path("tests", "reference", "data", "safety_grades.csv"))
grades <- grades[!is.na(grades$grade), ]
groups <- c("HAIC", "Sorafenib")
n <- table(factor(arms$arm, levels = groups))
worst <- aggregate(grade ~ term + patient_id, data = grades, FUN = max)
worst$arm <- arms$arm[match(worst$patient_id, arms$patient_id)]
terms <- unique(grades$term)
out <- lapply(terms, function(term) {
  w <- worst[worst$term == term, ]
  any <- table(factor(w$arm[w$grade >= 1], levels = groups))
  g3 <- table(factor(w$arm[w$grade >= 3], levels = groups))
  p <- function(k) fisher.test(rbind(as.numeric(k), as.numeric(n - k)))$p.value
  list(term = term, any_grade = as.list(setNames(as.numeric(any), groups)),
       grade3 = as.list(setNames(as.numeric(g3), groups)),
       p_any = p(any), p_grade3 = p(g3))
})
write_json(list(n = as.list(setNames(as.numeric(n), groups)), rows = out),
           file.path("tests", "reference", "safety.json"), auto_unbox = TRUE, digits = NA,
           pretty = TRUE)
