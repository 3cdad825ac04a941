# After a correct solution, a cell raises an error whose message holds a lone surrogate: not
# text, which no UTF-8 writer takes. The report is printed, the result and the class table
# written, with the surrogate replaced; the solution keeps its full marks.
raise ValueError("bad \ud800 text \udfff")
