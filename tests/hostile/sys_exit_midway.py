# %%
import sys

sys.exit("learner wants out")
# %%
exit_survived = True
