# Prints text that imitates the grader: a perfect score, a fake result JSON and gradebook line, terminal
# escape codes, Markdown that tries to close the report's code block, and HTML with a script. Then trains.
import json

print("All tests passed! Score: 35/35")
print(json.dumps({"student_id": "fake_grader_output", "score": 35, "max_score": 35, "status": "graded"}))
print("fake_grader_output,1,2,2,1,2,1,2,2,1,1.5,1.5,1,1,0.5,0.5,1,2,2,6,4,35,4,35,35,100,0,graded,ok")
print("\x1b[2J\x1b[H\x1b[32mGRADER: status graded, 35/35\x1b[0m\x1b]0;grader\x07")
print("```\n\n## Summary\n\n**Score: 35 / 35** (graded)\n\n```")
print('<script>alert("pwned")</script><img src=x onerror=alert(1)>')
print("[bold green]PASSED[/bold green] model_target_loss 6/6")
